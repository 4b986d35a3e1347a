import type { RagModel } from '@rag-web/models';
import { ENCODER_PROBE_QUESTION } from '@rag-web/core';

/**
 * This model's question encoding of the knowledge-base probe question: a knowledge base records
 * the probe of the model that built it and refuses another (`checkEncoderProbe`).
 */
export async function encoderProbe(rag: RagModel): Promise<Float32Array> {
  const { tokenizer, questionEncoder } = rag.components;
  const q = tokenizer.encodeQuestions([ENCODER_PROBE_QUESTION]);
  return questionEncoder.forward(q.inputIds, q.attentionMask);
}

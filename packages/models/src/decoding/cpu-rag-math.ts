import {
  gatherRowsRef,
  logitsEditsRef,
  logSoftmaxRef,
  marginalizeRef,
  ragSequenceNllRef,
  ragTokenNllRef,
  topKRef,
  type RagNllShape,
  type RagSequenceNllOptions,
  type TopKResult,
} from '@rag-web/core';
import type { Tensor } from 'onnxruntime-web';
import type { Ort } from '../ort/runtime.js';
import { tensorFloat32 } from '../ort/tensors.js';
import { rowsOf, type CandidateRequest, type RagMath, type StepLogits } from './rag-math.js';

/** RagMath on the CPU with core's TypeScript references (the WASM backend). */
export class CpuRagMath implements RagMath {
  readonly backend = 'cpu';

  constructor(private readonly ort: Ort) {}

  async selectCandidates(step: StepLogits, request: CandidateRequest): Promise<TopKResult> {
    const { batch, beams, vocab, k, beamScores, edits } = request;
    const rows = batch * beams;
    const logits = await tensorFloat32(step.logits);
    const logprobs =
      step.kind === 'marginalize'
        ? // transformers' beam search applies log_softmax to the (already normalized) marginal.
          logSoftmaxRef(marginalizeRef(logits, step.docScores, { batch: rows, nDocs: step.nDocs, seqLen: 1, vocab }), { rows, vocab })
        : logSoftmaxRef(logits, { rows, vocab });
    const scores = logitsEditsRef(logprobs, beamScores, edits, { rows, vocab });
    return topKRef(scores, { rows: batch, cols: beams * vocab, k });
  }

  async gatherRows(tensor: Tensor, indices: Uint32Array): Promise<Tensor> {
    const { rows, rowSize } = rowsOf(tensor);
    const dims = [indices.length, ...tensor.dims.slice(1)];
    // float16 caches are gathered as raw half words and stay float16.
    if (tensor.type === 'float16') {
      return new this.ort.Tensor('float16', gatherRowsRef(tensor.data as Uint16Array, indices, { rows, rowSize, dtype: 'f16' }), dims);
    }
    return new this.ort.Tensor('float32', gatherRowsRef(await tensorFloat32(tensor), indices, { rows, rowSize }), dims);
  }

  async nll(variant: 'token' | 'sequence', logits: Tensor, docScores: Float32Array, labels: Int32Array, shape: RagNllShape, options: RagSequenceNllOptions): Promise<Float32Array> {
    const data = await tensorFloat32(logits);
    return variant === 'token' ? ragTokenNllRef(data, docScores, labels, shape, options).loss : ragSequenceNllRef(data, docScores, labels, shape, options).loss;
  }

  async marginalize(logits: Tensor, docScores: Float32Array, shape: RagNllShape): Promise<Float32Array> {
    return marginalizeRef(await tensorFloat32(logits), docScores, shape);
  }
}

import { BartGenerator } from '../bart-generator.js';
import { MergedDecoder, SplitDecoder } from '../decoder-graphs.js';
import type { ResolvedDevice } from '../devices.js';
import { DPRContextEncoder, DPRQuestionEncoder } from '../dpr-encoder.js';
import { fileKey } from '../hub/model-source.js';
import { graphName, type GraphRole } from '../layout/model-layout.js';
import { OnnxSession } from '../ort/onnx-session.js';
import type { Ort } from '../ort/runtime.js';
import type { HfTokenizer } from '../tokenizer/hf-tokenizer.js';
import type { ModelFiles } from './model-files.js';
import type { ModelPlan, PartPlan } from './model-plan.js';

export interface ModelSessions {
  questionEncoder: DPRQuestionEncoder;
  generator: BartGenerator;
  ctxEncoder?: OnnxSession;
}

/**
 * Phase three of loading: one ONNX session per graph on `device`, each checked against the
 * layout's I/O names. On failure or abort every session opened so far is released.
 */
export async function openSessions(ort: Ort, plan: ModelPlan, files: ModelFiles, device: ResolvedDevice, signal?: AbortSignal): Promise<ModelSessions> {
  const opened: OnnxSession[] = [];
  const open = async (part: PartPlan): Promise<Partial<Record<GraphRole, OnnxSession>>> => {
    const sessions: Partial<Record<GraphRole, OnnxSession>> = {};
    for (const [role, path] of Object.entries(part.graphFiles) as Array<[GraphRole, string]>) {
      signal?.throwIfAborted();
      const graph = part.graphSet.graphs[role]!;
      const bytes = files.get(fileKey(part.source, path))!;
      const session = await OnnxSession.create(ort, { name: graphName(graph), bytes, device, gpuOutputs: graph.gpuOutputs }, graph);
      opened.push(session);
      sessions[role] = session;
    }
    return sessions;
  };
  try {
    const q = await open(plan.parts.questionEncoder);
    const g = await open(plan.parts.generator);
    const c = plan.parts.ctxEncoder ? await open(plan.parts.ctxEncoder) : undefined;
    signal?.throwIfAborted();
    const decoder = g.decoderMerged ? new MergedDecoder(ort, plan.config.generator, g.decoderMerged) : new SplitDecoder(g.decoder!, g.decoderWithPast!);
    return {
      questionEncoder: new DPRQuestionEncoder(ort, q.encoder!, plan.config.questionEncoder, plan.parts.questionEncoder.graphSet.pooling),
      generator: new BartGenerator(ort, plan.config.generator, g.encoder!, decoder),
      ...(c ? { ctxEncoder: c.encoder! } : {}),
    };
  } catch (err) {
    await Promise.all(opened.map((s) => s.release()));
    throw err;
  }
}

/** The context encoder of a loaded model: its session, config and tokenizer together. */
export function contextEncoder(ort: Ort, plan: ModelPlan, session: OnnxSession, tokenizer: HfTokenizer): DPRContextEncoder {
  return new DPRContextEncoder(ort, session, plan.ctxConfig!, plan.parts.ctxEncoder!.graphSet.pooling ?? 'pooler_output', tokenizer, plan.modelId);
}

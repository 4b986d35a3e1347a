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
 * layout's I/O names. Graphs are opened largest first, each read just before its session is
 * created (a local file's path where the runtime reads files itself: `readsPaths`): the bytes of one graph at a
 * time are in memory, and space the WASM heap frees after the largest is reused by the rest (that
 * heap never shrinks). On failure or abort every session opened so far is released.
 */
export async function openSessions(
  ort: Ort,
  plan: ModelPlan,
  files: ModelFiles,
  device: ResolvedDevice,
  { readsPaths, signal }: { readsPaths: boolean; signal?: AbortSignal | undefined },
): Promise<ModelSessions> {
  const opened: OnnxSession[] = [];
  const parts = { questionEncoder: plan.parts.questionEncoder, generator: plan.parts.generator, ...(plan.parts.ctxEncoder ? { ctxEncoder: plan.parts.ctxEncoder } : {}) };
  type PartName = keyof typeof parts;
  const graphs = (Object.entries(parts) as Array<[PartName, PartPlan]>).flatMap(([partName, part]) =>
    (Object.entries(part.graphFiles) as Array<[GraphRole, string]>).map(([role, path]) => ({ partName, part, role, file: files.graphs.get(fileKey(part.source, path))! })),
  );
  graphs.sort((a, b) => b.file.size - a.file.size);
  const sessions: Record<PartName, Partial<Record<GraphRole, OnnxSession>>> = { questionEncoder: {}, generator: {}, ctxEncoder: {} };
  try {
    for (const { partName, part, role, file } of graphs) {
      signal?.throwIfAborted();
      const graph = part.graphSet.graphs[role]!;
      const model = file.path && readsPaths ? await file.path() : await file.bytes();
      signal?.throwIfAborted();
      const session = await OnnxSession.create(ort, { name: graphName(graph), model, device, gpuOutputs: graph.gpuOutputs }, graph);
      opened.push(session);
      sessions[partName][role] = session;
    }
    const { questionEncoder: q, generator: g, ctxEncoder: c } = sessions;
    signal?.throwIfAborted();
    const decoder = g.decoderMerged ? new MergedDecoder(ort, plan.config.generator, g.decoderMerged) : new SplitDecoder(g.decoder!, g.decoderWithPast!);
    return {
      questionEncoder: new DPRQuestionEncoder(ort, q.encoder!, plan.config.questionEncoder, plan.parts.questionEncoder.graphSet.pooling),
      generator: new BartGenerator(ort, plan.config.generator, g.encoder!, decoder),
      ...(c.encoder ? { ctxEncoder: c.encoder } : {}),
    };
  } catch (err) {
    await Promise.all(opened.map((s) => s.release()));
    throw err;
  }
}

/** The context encoder of a loaded model: its session, config and tokenizer together. */
export function contextEncoder(ort: Ort, plan: ModelPlan, session: OnnxSession, tokenizer: HfTokenizer): DPRContextEncoder {
  // Its id is what a knowledge base records: the weights' identity where the manifest gives one.
  return new DPRContextEncoder(ort, session, plan.ctxConfig!, plan.parts.ctxEncoder!.graphSet.pooling ?? 'pooler_output', tokenizer, plan.embeddingModelId ?? plan.modelId);
}

import {
  ModelFileNotFoundError,
  PRETRAINED_OPTION_KEYS,
  RagModel,
  checkOptionKeys,
  resolveDevice,
  webGpuAvailable,
  type DeviceType,
  type Dtype,
  type OptionKeys,
  type RagFromPretrainedOptions,
  type ResolvedDevice,
} from '@rag-web/models';
import { checkEncoderProbe, type EmbeddingIdentity, type PassageSource } from '@rag-web/core';
import { KnowledgeBase, loadKnowledgeBase } from '@rag-web/retriever';
import { encoderProbe } from './encoder-probe.js';
import { RagPipeline } from './rag-pipeline.js';

export interface CreateRagOptions extends Omit<RagFromPretrainedOptions, 'loadContextEncoder' | 'retriever'> {
  /** A model folder URL (tools/export_rag.py layout), a hub-style id, or in Node a folder path. */
  model: string;
  /**
   * What to answer from: a knowledge-base folder (URL, or in Node a path) as `rag index` writes it,
   * an opened KnowledgeBase, or any other PassageSource — a retrieval server
   * (`await RemoteRetriever.connect(url)` of `@rag-web/remote`: the question is encoded and the
   * answer generated here, retrieval runs there) or, in Node, a `PgKnowledgeBase`. Without it, an
   * empty one named `knowledgeBaseName` (persistent in browsers), to fill with `add`.
   */
  knowledgeBase?: string | PassageSource;
  /** The stored copy's name (IndexedDB in browsers); default derived from the folder, or `default`. */
  knowledgeBaseName?: string;
  /** RAG-Token or RAG-Sequence; default: the architecture named in the model's config.json. */
  variant?: 'token' | 'sequence';
}

const { loadContextEncoder: _ctx, ...modelOptionKeys } = PRETRAINED_OPTION_KEYS;
const CREATE_RAG_OPTION_KEYS: OptionKeys<CreateRagOptions> = { ...modelOptionKeys, model: true, knowledgeBase: true, knowledgeBaseName: true, variant: true };

/**
 * Without a `dtype`, transformers.js' choice per device: fp32 on WebGPU (q8's quantized MatMuls
 * have no WebGPU kernels), q8 on the CPU backends; a model without that dtype loads its fp32 files.
 */
const DEVICE_DTYPES: Record<ResolvedDevice, Dtype> = { webgpu: 'fp32', wasm: 'q8', cpu: 'q8' };

/** The dtype `createRag` loads on `device` when none is given (`auto` resolved as loading resolves it). */
export async function defaultDtype(device: DeviceType = 'auto'): Promise<Dtype> {
  return DEVICE_DTYPES[resolveDevice(device, device === 'auto' && (await webGpuAvailable()))];
}

/**
 * One call from nothing to answers with sources, in the spirit of transformers.js' `pipeline()`:
 * loads the model (question encoder, generator, and the context encoder where the folder has one,
 * so that `add` can embed documents) and opens the knowledge base, checking that its embeddings
 * come from this model's encoder.
 */
export async function createRag(options: CreateRagOptions): Promise<RagPipeline> {
  checkOptionKeys('createRag', options, CREATE_RAG_OPTION_KEYS);
  const { model: modelSource, knowledgeBase, knowledgeBaseName, variant, ...pretrained } = options;
  const model = await loadModel(modelSource, pretrained);
  try {
    const kb = await openKnowledgeBase(model, knowledgeBase, knowledgeBaseName, options.signal);
    try {
      // A source that records its encoder (a knowledge base, Postgres) is checked; a server does not say.
      const identity = (kb as Partial<{ manifest: EmbeddingIdentity }>).manifest;
      if (identity) checkEncoderProbe(identity, await encoderProbe(model), modelSource);
    } catch (err) {
      if (kb instanceof KnowledgeBase && kb !== knowledgeBase) await kb.close();
      throw err;
    }
    return new RagPipeline(model, kb, variant ?? (model.config.architectures.some((a) => /Sequence/.test(a)) ? 'sequence' : 'token'));
  } catch (err) {
    await model.dispose();
    throw err;
  }
}

/** The device's dtype unless one is given; with the context encoder when the model has one (a checkpoint without it still answers). */
async function loadModel(source: string, options: RagFromPretrainedOptions): Promise<RagModel> {
  const preferred = options.dtype ?? (await defaultDtype(options.device));
  const load = async (dtype: RagFromPretrainedOptions['dtype']) => {
    try {
      return await RagModel.fromPretrained(source, { ...options, dtype, loadContextEncoder: true });
    } catch (err) {
      if (!(err instanceof ModelFileNotFoundError && err.details.part === 'ctx_encoder')) throw err;
      return RagModel.fromPretrained(source, { ...options, dtype, loadContextEncoder: false });
    }
  };
  try {
    return await load(preferred);
  } catch (err) {
    if (options.dtype !== undefined || preferred === 'fp32' || !(err instanceof ModelFileNotFoundError)) throw err;
    return load('fp32');
  }
}

async function openKnowledgeBase(model: RagModel, given: string | PassageSource | undefined, name: string | undefined, signal: AbortSignal | undefined): Promise<PassageSource> {
  if (typeof given === 'object') return given;
  const dimension = model.config.retrievalVectorSize;
  if (given === undefined) return KnowledgeBase.open({ name: name ?? 'default', dimension, modelId: model.components.modelId });
  return loadKnowledgeBase(given, { dimension, ...(name ? { name } : {}), ...(signal ? { signal } : {}) });
}

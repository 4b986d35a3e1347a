import type { GenerationConfig, RagConfig } from '@rag-web/core';
import type { BartGenerator } from './bart-generator.js';
import { resolveDevice, type DeviceType, type ResolvedDevice } from './devices.js';
import type { DPRContextEncoder, DPRQuestionEncoder } from './dpr-encoder.js';
import type { Dtype } from './dtypes.js';
import { DeviceFallbackError, ModelLoadError, type ModelCacheWriteError } from './errors.js';
import { defaultFileCache, type FileCache } from './hub/file-cache.js';
import { fileKey, isNode, resolveModelSource, type HubOptions, type ModelSource } from './hub/model-source.js';
import { ProgressTracker, type ProgressCallback } from './hub/progress.js';
import type { GraphSetName } from './layout/model-layout.js';
import { fetchModelFiles, type ModelFiles } from './loading/model-files.js';
import { readModelConfigs, type ModelPlan, type PartPlan } from './loading/model-plan.js';
import { contextEncoder, openSessions, type ModelSessions } from './loading/model-sessions.js';
import { checkOptionKeys, type OptionKeys } from './option-keys.js';
import { loadOrt, ortGpuDevice, webGpuAvailable, type Ort, type RuntimeOptions } from './ort/runtime.js';
import { HfTokenizer, type TokenizerFiles } from './tokenizer/hf-tokenizer.js';
import { RagTokenizer } from './tokenizer/rag-tokenizer.js';

export interface PretrainedOptions extends HubOptions, RuntimeOptions {
  device?: DeviceType;
  /** One dtype for every graph, or per graph (by its file's base name in layouts.json). */
  dtype?: Dtype | Partial<Record<string, Dtype>>;
  progressCallback?: ProgressCallback;
  /** File cache for offline use; default Cache Storage in browsers, none in Node. `null` disables it. */
  cache?: FileCache | null;
  /** Also load the DPR context encoder (to embed passages). */
  loadContextEncoder?: boolean;
  /** The generator's graph set (`bart-split` or `bart-merged`) instead of the first one whose files are there. */
  generatorLayout?: GraphSetName;
  /** Called when WebGPU fails and the model falls back to WASM, or a downloaded file could not be cached (the load goes on). */
  onWarning?: (warning: DeviceFallbackError | ModelCacheWriteError) => void;
  /** Cancels every download in flight and releases every session already opened; nothing partial is cached. */
  signal?: AbortSignal;
}

/** Every key of PretrainedOptions: an unknown one (`progress_callback`, a typo) is an error, not ignored. */
export const PRETRAINED_OPTION_KEYS: OptionKeys<PretrainedOptions> = {
  host: true,
  revision: true,
  ort: true,
  wasmPaths: true,
  numThreads: true,
  device: true,
  dtype: true,
  progressCallback: true,
  cache: true,
  loadContextEncoder: true,
  generatorLayout: true,
  onWarning: true,
  signal: true,
};

/** Everything a RAG model folder holds, loaded and checked against each other. */
export interface RagComponents {
  modelId: string;
  /** The context encoder's identity from its weights' digests (`sha256:…`), which knowledge bases record; absent without a manifest.json. */
  embeddingModelId?: string;
  ort: Ort;
  device: ResolvedDevice;
  gpuDevice?: GPUDevice;
  config: RagConfig;
  generationConfig: GenerationConfig;
  tokenizer: RagTokenizer;
  questionEncoder: DPRQuestionEncoder;
  contextEncoder?: DPRContextEncoder;
  generator: BartGenerator;
  /** Which graph set each part was loaded with (layouts.json), e.g. `{ generator: 'bart-merged' }`. */
  layouts: { questionEncoder: GraphSetName; generator: GraphSetName; ctxEncoder?: GraphSetName };
}

function tokenizerFiles(part: PartPlan, files: ModelFiles): TokenizerFiles {
  const [json, config] = part.tokenizerFiles.map((path) => {
    try {
      return JSON.parse(new TextDecoder().decode(files.tokenizers.get(fileKey(part.source, path))!)) as Record<string, unknown>;
    } catch (err) {
      throw new ModelLoadError(`model file ${part.label}${path} is not valid JSON: ${String(err)}`, { file: path });
    }
  });
  return { tokenizerJson: json!, tokenizerConfig: config! };
}

/** In Node, a string naming an existing folder is that folder, even when it looks like a hub id (`models/rag`). */
async function localFolder(model: string | { files: Record<string, Uint8Array> }): Promise<ModelSource | undefined> {
  if (typeof model !== 'string' || !isNode() || /^https?:\/\//.test(model)) return undefined;
  const { localFiles } = await import('#local-files');
  return (await localFiles.exists(model)) ? { kind: 'local', dir: model } : undefined;
}

/**
 * Loads a RAG model in three phases — read configs (`readModelConfigs`: which files, which graph
 * set, how big), fetch files (`fetchModelFiles`: in parallel, checked against their SHA-256), open
 * sessions (`openSessions`) — from a folder written by tools/export_rag.py, or from parts laid out
 * as hub repos combined by a rag.json (tools/README.md). `device: 'auto'` takes WebGPU when a
 * hardware adapter exists (not a software one such as SwiftShader); a WebGPU failure while
 * creating sessions falls back to WASM with a warning. An unknown option is an UnknownOptionError.
 */
export async function loadRagComponents(model: string | { files: Record<string, Uint8Array> }, options: PretrainedOptions = {}): Promise<RagComponents> {
  checkOptionKeys('fromPretrained', options, PRETRAINED_OPTION_KEYS);
  const source = (await localFolder(model)) ?? resolveModelSource(model, options);
  const modelId = typeof model === 'string' ? model : 'bytes';
  const cache = options.cache === null ? undefined : (options.cache ?? defaultFileCache());
  const { signal } = options;
  const progress = new ProgressTracker(options.progressCallback);
  const requested = options.device ?? 'auto';
  let device = resolveDevice(requested, requested === 'auto' ? await webGpuAvailable() : false);
  const [{ ort, readsPaths }, plan] = await Promise.all([loadOrt(options, device), readModelConfigs(source, modelId, { ...options, cache, signal })]);
  const files = await fetchModelFiles(plan, { progress, cache, signal, onCacheError: options.onWarning });
  const tokenizer = RagTokenizer.fromFiles(
    { questionEncoder: tokenizerFiles(plan.parts.questionEncoder, files), generator: tokenizerFiles(plan.parts.generator, files) },
    plan.config,
  );
  const ctxPart = plan.parts.ctxEncoder;
  const ctxTokenizer = ctxPart ? new HfTokenizer(tokenizerFiles(ctxPart, files), 'ctx_encoder_tokenizer') : undefined;

  let gpuDevice: GPUDevice | undefined;
  let sessions: ModelSessions;
  if (device === 'webgpu') {
    try {
      sessions = await openSessions(ort, plan, files, 'webgpu', { readsPaths, signal });
      gpuDevice = await ortGpuDevice(ort);
    } catch (err) {
      if (signal?.aborted) throw err;
      // A graph that is corrupt fails on WASM too, and then that error is the one thrown.
      options.onWarning?.(new DeviceFallbackError(`WebGPU could not be used (${err instanceof Error ? err.message : String(err)}); falling back to WASM`));
      device = 'wasm';
      gpuDevice = undefined;
      sessions = await openSessions(ort, plan, files, 'wasm', { readsPaths, signal });
    }
  } else {
    sessions = await openSessions(ort, plan, files, device, { readsPaths, signal });
  }
  progress.emit({ status: 'ready', model: modelId, device });
  return components(plan, ort, device, gpuDevice, tokenizer, sessions, ctxTokenizer);
}

function components(
  plan: ModelPlan,
  ort: Ort,
  device: ResolvedDevice,
  gpuDevice: GPUDevice | undefined,
  tokenizer: RagTokenizer,
  sessions: ModelSessions,
  ctxTokenizer: HfTokenizer | undefined,
): RagComponents {
  const { parts } = plan;
  return {
    modelId: plan.modelId,
    ...(plan.embeddingModelId ? { embeddingModelId: plan.embeddingModelId } : {}),
    ort,
    device,
    ...(gpuDevice ? { gpuDevice } : {}),
    config: plan.config,
    generationConfig: plan.generationConfig,
    tokenizer,
    questionEncoder: sessions.questionEncoder,
    ...(sessions.ctxEncoder && ctxTokenizer ? { contextEncoder: contextEncoder(ort, plan, sessions.ctxEncoder, ctxTokenizer) } : {}),
    generator: sessions.generator,
    layouts: {
      questionEncoder: parts.questionEncoder.graphSet.name,
      generator: parts.generator.graphSet.name,
      ...(parts.ctxEncoder ? { ctxEncoder: parts.ctxEncoder.graphSet.name } : {}),
    },
  };
}

import { GenerationConfig, RagConfig } from '@rag-web/core';
import { BartGenerator } from './bart-generator.js';
import { resolveDevice, type DeviceType, type ResolvedDevice } from './devices.js';
import { DPRContextEncoder, DPRQuestionEncoder, DprEncoder } from './dpr-encoder.js';
import { onnxFileName, resolveDtype, type Dtype } from './dtypes.js';
import { DeviceFallbackError, ModelLoadError } from './errors.js';
import { defaultFileCache, type FileCache } from './hub/file-cache.js';
import { loadFile, loadJson, type LoadFileOptions } from './hub/file-loader.js';
import { isNode, resolveModelSource, type HubOptions, type ModelSource } from './hub/model-source.js';
import { ProgressTracker, type ProgressCallback } from './hub/progress.js';
import { OnnxSession } from './ort/onnx-session.js';
import { loadOrt, ortGpuDevice, webGpuAvailable, type Ort, type RuntimeOptions } from './ort/runtime.js';
import { HfTokenizer, type TokenizerFiles } from './tokenizer/hf-tokenizer.js';
import { RagTokenizer } from './tokenizer/rag-tokenizer.js';

export interface PretrainedOptions extends HubOptions, RuntimeOptions {
  device?: DeviceType;
  /** One dtype for every graph, or per graph name (`{ decoder_model: 'q8' }`). */
  dtype?: Dtype | Partial<Record<string, Dtype>>;
  progressCallback?: ProgressCallback;
  /** File cache for offline use; default Cache Storage in browsers, none in Node. `null` disables it. */
  cache?: FileCache | null;
  /** Also load `onnx/ctx_encoder*.onnx` (to embed passages). */
  loadContextEncoder?: boolean;
  /** Called when WebGPU fails and the model falls back to WASM. */
  onWarning?: (warning: DeviceFallbackError) => void;
  signal?: AbortSignal;
}

/** Everything a RAG model folder holds, loaded and checked against each other. */
export interface RagComponents {
  modelId: string;
  ort: Ort;
  device: ResolvedDevice;
  gpuDevice?: GPUDevice;
  config: RagConfig;
  generationConfig: GenerationConfig;
  tokenizer: RagTokenizer;
  questionEncoder: DPRQuestionEncoder;
  contextEncoder?: DPRContextEncoder;
  generator: BartGenerator;
}

async function loadTokenizerFiles(source: ModelSource, folder: string, opts: LoadFileOptions): Promise<TokenizerFiles> {
  return {
    tokenizerJson: await loadJson(source, `${folder}/tokenizer.json`, opts),
    tokenizerConfig: await loadJson(source, `${folder}/tokenizer_config.json`, opts),
  };
}

/** In Node, a string naming an existing folder is that folder, even when it looks like a hub id (`models/rag`). */
async function localFolder(model: string | { files: Record<string, Uint8Array> }): Promise<ModelSource | undefined> {
  if (typeof model !== 'string' || !isNode() || /^https?:\/\//.test(model)) return undefined;
  const { existsSync } = await import('node:fs');
  return existsSync(model) ? { kind: 'local', dir: model } : undefined;
}

/**
 * Loads a model folder written by tools/export_rag.py (see fixtures/README.md for the layout):
 * configs, tokenizers, and the ONNX graphs on WebGPU or WASM. `device: 'auto'` takes WebGPU when
 * an adapter exists; a WebGPU failure while creating sessions falls back to WASM with a warning.
 */
export async function loadRagComponents(model: string | { files: Record<string, Uint8Array> }, options: PretrainedOptions = {}): Promise<RagComponents> {
  const source = (await localFolder(model)) ?? resolveModelSource(model, options);
  const modelId = typeof model === 'string' ? model : 'bytes';
  const progress = new ProgressTracker(options.progressCallback);
  const opts: LoadFileOptions = { progress, cache: options.cache === null ? undefined : (options.cache ?? defaultFileCache()), signal: options.signal };
  const ort = await loadOrt(options);

  const config = RagConfig.fromJson(await loadJson(source, 'config.json', opts));
  const generationConfig = await loadJson(source, 'generation_config.json', opts).then(
    (json) => GenerationConfig.fromJson(json),
    (err: unknown) => {
      if (err instanceof ModelLoadError && /not found|HTTP 404|missing/.test(err.message)) return GenerationConfig.fromModelConfig(config);
      throw err;
    },
  );
  const tokenizer = RagTokenizer.fromFiles(
    {
      questionEncoder: await loadTokenizerFiles(source, 'question_encoder_tokenizer', opts),
      generator: await loadTokenizerFiles(source, 'generator_tokenizer', opts),
    },
    config,
  );
  const ctxTokenizer = options.loadContextEncoder ? new HfTokenizer(await loadTokenizerFiles(source, 'ctx_encoder_tokenizer', opts), 'ctx_encoder_tokenizer') : undefined;
  const ctxConfig = options.loadContextEncoder ? RagConfig.fromQuestionEncoderGeneratorConfigs(await loadJson(source, 'ctx_encoder_config.json', opts), config.generatorJson).questionEncoder : undefined;

  const layers = config.generator.decoderLayers;
  const bartIo = BartGenerator.expectedIo(layers);
  const bartGpu = BartGenerator.gpuOutputs(layers);
  const graphs = ['question_encoder', 'encoder_model', 'decoder_model', 'decoder_with_past_model', ...(options.loadContextEncoder ? ['ctx_encoder'] : [])];
  const bytes = new Map<string, Uint8Array>();
  for (const name of graphs) bytes.set(name, await loadFile(source, onnxFileName(name, resolveDtype(options.dtype, name)), opts));

  const requested = options.device ?? 'auto';
  let device = resolveDevice(requested, requested === 'auto' ? await webGpuAvailable() : false);
  let gpuDevice: GPUDevice | undefined;
  const create = async (dev: ResolvedDevice) => {
    const opened: OnnxSession[] = [];
    const session = async (name: string, io: { inputs: string[]; outputs: string[] }, gpuOutputs?: string[]) => {
      const s = await OnnxSession.create(ort, { name, bytes: bytes.get(name)!, device: dev, ...(gpuOutputs ? { gpuOutputs } : {}) }, io);
      opened.push(s);
      return s;
    };
    try {
      return {
        question: await session('question_encoder', DprEncoder.expectedIo()),
        encoder: await session('encoder_model', bartIo.encoder_model, bartGpu.encoder_model),
        decoder: await session('decoder_model', bartIo.decoder_model, bartGpu.decoder_model),
        withPast: await session('decoder_with_past_model', bartIo.decoder_with_past_model, bartGpu.decoder_with_past_model),
        ctx: options.loadContextEncoder ? await session('ctx_encoder', DprEncoder.expectedIo()) : undefined,
      };
    } catch (err) {
      await Promise.all(opened.map((s) => s.release()));
      throw err;
    }
  };
  let sessions: Awaited<ReturnType<typeof create>>;
  if (device === 'webgpu') {
    try {
      sessions = await create('webgpu');
      gpuDevice = await ortGpuDevice(ort);
    } catch (err) {
      // A graph that is corrupt fails on WASM too, and then that error is the one thrown.
      options.onWarning?.(new DeviceFallbackError(`WebGPU could not be used (${err instanceof Error ? err.message : String(err)}); falling back to WASM`));
      device = 'wasm';
      gpuDevice = undefined;
      sessions = await create('wasm');
    }
  } else {
    sessions = await create(device);
  }
  progress.emit({ status: 'ready', model: modelId, device });
  return {
    modelId,
    ort,
    device,
    ...(gpuDevice ? { gpuDevice } : {}),
    config,
    generationConfig,
    tokenizer,
    questionEncoder: new DPRQuestionEncoder(ort, sessions.question, config.questionEncoder),
    ...(sessions.ctx && ctxTokenizer && ctxConfig ? { contextEncoder: new DPRContextEncoder(ort, sessions.ctx, ctxConfig, ctxTokenizer, modelId) } : {}),
    generator: new BartGenerator(ort, config.generator, sessions.encoder, sessions.decoder, sessions.withPast),
  };
}

import type { HostTensor, Retriever, RetrievAugLMOutput } from '@rag-web/core';
import type { Tensor } from 'onnxruntime-web';
import { CpuRagMath } from './decoding/cpu-rag-math.js';
import { GpuRagMath } from './decoding/gpu-rag-math.js';
import type { RagMath } from './decoding/rag-math.js';
import { DeviceFallback, type GuardedTask } from './device-fallback.js';
import { InvalidInputError, type DeviceFallbackError } from './errors.js';
import { tensorFloat32 } from './ort/tensors.js';
import { checkOptionKeys, type OptionKeys } from './option-keys.js';
import { loadRagComponents, PRETRAINED_OPTION_KEYS, type PretrainedOptions, type RagComponents } from './pretrained.js';
import {
  repeatInterleave,
  resolveContexts,
  retrieveContexts,
  type RagContextArgs,
  type RagContexts,
  type RagQuestions,
  type RagRetrieval,
  type RagRetrieveOptions,
} from './rag-inputs.js';

export interface RagForwardArgs extends RagContextArgs {
  /** (B × T) decoder input ids; every document's row gets the same ones. */
  decoderInputIds: number[][];
  outputRetrieved?: boolean;
  /**
   * transformers' `encoder_outputs`: the generator encoder's (B·n × S × D) output for these
   * contexts when the caller already has it; used as is, not disposed.
   */
  encoderOutputs?: Tensor;
}

export interface RagFromPretrainedOptions extends PretrainedOptions {
  retriever?: Retriever;
}

const RAG_FROM_PRETRAINED_OPTION_KEYS: OptionKeys<RagFromPretrainedOptions> = { ...PRETRAINED_OPTION_KEYS, retriever: true };

/** The generator's output for a batch of contexts, kept on the backend (GPU or CPU) until read. */
export interface GeneratorRun {
  contexts: RagContexts;
  /** (B·n × T × V) for the T decoder inputs given. The caller disposes it. */
  logits: Tensor;
}

/** One backend's components and the RAG math on them: what a guarded call runs on from start to end. */
export interface RagBackend {
  readonly components: RagComponents;
  readonly math: RagMath;
}

/** Each RagModel's device fallback, kept off its public surface for the classes of this package. */
const fallbacks = new WeakMap<RagModel, DeviceFallback<RagBackend>>();

/**
 * Runs a public entry point's body on `rag`'s current backend, and again from the start on WASM
 * if the WebGPU device is lost meanwhile (device-fallback.ts). Only public entry points call it:
 * what they call runs on the backend it is handed and never guards again.
 */
export function guarded<T>(rag: RagModel, task: GuardedTask<RagBackend, T>): Promise<T> {
  return fallbacks.get(rag)!.run(task);
}

/**
 * `transformers.RagModel`: question encoder + retriever + BART generator, no marginalization.
 * The generation classes wrap one of these.
 */
export class RagModel {
  private readonly fallback: DeviceFallback<RagBackend>;

  constructor(
    components: RagComponents,
    public retriever?: Retriever,
    recovery: { reloadOnWasm: () => Promise<RagComponents>; onWarning?: (w: DeviceFallbackError) => void } | undefined = undefined,
  ) {
    this.fallback = new DeviceFallback(backendOf(components), {
      gpuDevice: (backend) => backend.components.gpuDevice,
      ...(recovery ? { reloadOnWasm: async () => backendOf(await recovery.reloadOnWasm()) } : {}),
      release: (backend) => releaseAll(backend.components),
      ...(recovery?.onWarning ? { onWarning: recovery.onWarning } : {}),
    });
    fallbacks.set(this, this.fallback);
  }

  static async fromPretrained(model: string | { files: Record<string, Uint8Array> }, options: RagFromPretrainedOptions = {}): Promise<RagModel> {
    checkOptionKeys('fromPretrained', options, RAG_FROM_PRETRAINED_OPTION_KEYS);
    const { retriever, ...loading } = options;
    const components = await loadRagComponents(model, loading);
    return new RagModel(components, retriever, {
      reloadOnWasm: () => loadRagComponents(model, { ...loading, device: 'wasm' }),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    });
  }

  get components(): RagComponents {
    return this.fallback.backend.components;
  }

  get math(): RagMath {
    return this.fallback.backend.math;
  }

  get config() {
    return this.components.config;
  }

  get device() {
    return this.components.device;
  }

  /**
   * The retrieval half of `forward` with every intermediate kept (question ids and pooled output,
   * doc ids, passages, doc scores, context strings and ids), batch-major. Its contexts and doc
   * scores can be handed to `forward` / `generate` as `contextInputIds` and `docScores`.
   */
  retrieve(questions: RagQuestions, options: RagRetrieveOptions = {}): Promise<RagRetrieval> {
    const { retriever = this.retriever, ...rest } = options;
    return this.fallback.run((backend) => retrieveContexts(questions, backend.components, retriever, rest));
  }

  /** `RagModel.forward`: per-document logits (B·n × T × V) and doc scores, not marginalized. */
  forward(args: RagForwardArgs): Promise<RetrievAugLMOutput> {
    return this.fallback.run(async (backend) => {
      const run = await runGenerator(this, backend, args);
      try {
        return await outputOf(run, args.outputRetrieved ?? this.config.outputRetrieved);
      } finally {
        run.logits.dispose();
      }
    });
  }

  /** Releases every ONNX session; the model cannot be used afterwards. */
  dispose(): Promise<void> {
    return this.fallback.dispose();
  }
}

function backendOf(components: RagComponents): RagBackend {
  const gpu = components.gpuDevice;
  return { components, math: gpu ? new GpuRagMath(components.ort, gpu) : new CpuRagMath(components.ort) };
}

async function releaseAll(components: RagComponents): Promise<void> {
  const { questionEncoder, contextEncoder, generator } = components;
  await Promise.all([questionEncoder.release(), contextEncoder?.release(), generator.release()]);
}

/** Retrieval (if needed) and one generator pass over `decoderInputIds` for every document. */
export async function runGenerator(rag: RagModel, backend: RagBackend, args: RagForwardArgs): Promise<GeneratorRun> {
  const { config, questionEncoder } = backend.components;
  const contexts = await resolveContexts(args, config, questionEncoder, rag.retriever);
  return generatorPass(backend, contexts, args.decoderInputIds, args.encoderOutputs);
}

/**
 * One generator pass over `decoderInputIds` (B × T) for every document of `contexts`. The
 * documents' (B·n × S × D) encoder output is computed, unless given (then used as is, not disposed).
 * `sameDocuments`: every batch item reads the same n documents (RAG-Sequence's rescoring of its
 * candidates) and the given `encoderOutputs` hold them once (n rows), which a generator with shared
 * cross-attention reads as one batch item whose beams are the B items.
 */
export async function generatorPass(backend: RagBackend, contexts: RagContexts, decoderInputIds: number[][], encoderOutputs?: Tensor, sameDocuments = false): Promise<GeneratorRun> {
  const { generator } = backend.components;
  if (decoderInputIds.length !== contexts.batch) {
    throw new InvalidInputError(`decoderInputIds has ${decoderInputIds.length} rows for a batch of ${contexts.batch}`);
  }
  if (sameDocuments && (!generator.sharedCrossAttention || !encoderOutputs)) throw new TypeError('sameDocuments needs encoderOutputs and a generator exported with shared cross-attention');
  const encoderRows = sameDocuments ? contexts.nDocs : contexts.contextInputIds.length;
  if (encoderOutputs && encoderOutputs.dims[0] !== encoderRows) {
    throw new InvalidInputError(`encoderOutputs has ${encoderOutputs.dims[0]} rows for ${encoderRows} contexts`);
  }
  const hidden = encoderOutputs ?? (await generator.encode(contexts.contextInputIds, contexts.contextAttentionMask));
  try {
    const mask = sameDocuments ? generator.encoderMask(contexts.contextAttentionMask.slice(0, contexts.nDocs), contexts.nDocs) : generator.encoderMask(contexts.contextAttentionMask, contexts.nDocs);
    const logits = await generator.forwardLogits(repeatInterleave(decoderInputIds, contexts.nDocs), hidden, mask);
    return { contexts, logits };
  } finally {
    if (hidden !== encoderOutputs) hidden.dispose();
  }
}

/** The fields every RAG output shares, read back from the backend. */
export async function outputOf(run: GeneratorRun, outputRetrieved: boolean, logits?: HostTensor): Promise<RetrievAugLMOutput> {
  const { contexts } = run;
  const [rows = 0, positions = 0, vocab = 0] = run.logits.dims;
  const out: RetrievAugLMOutput = {
    logits: logits ?? { data: await tensorFloat32(run.logits), dims: [rows, positions, vocab] },
    docScores: { data: contexts.docScores, dims: [contexts.batch, contexts.nDocs] },
  };
  if (contexts.questionPooled) {
    out.questionEncoderLastHiddenState = { data: contexts.questionPooled, dims: [contexts.batch, contexts.questionPooled.length / contexts.batch] };
  }
  if (outputRetrieved) {
    const width = contexts.contextInputIds[0]?.length ?? 0;
    out.contextInputIds = { data: Int32Array.from(contexts.contextInputIds.flat()), dims: [contexts.contextInputIds.length, width] };
    out.contextAttentionMask = { data: Int32Array.from(contexts.contextAttentionMask.flat()), dims: [contexts.contextAttentionMask.length, width] };
    if (contexts.retrievedDocEmbeds && contexts.retrievedDocIds) {
      out.retrievedDocEmbeds = { data: contexts.retrievedDocEmbeds, dims: [contexts.batch, contexts.nDocs, contexts.retrievedDocEmbeds.length / (contexts.batch * contexts.nDocs)] };
      out.retrievedDocIds = { data: Int32Array.from(contexts.retrievedDocIds.flat()), dims: [contexts.batch, contexts.nDocs] };
    }
  }
  return out;
}

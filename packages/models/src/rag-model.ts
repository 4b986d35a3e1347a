import type { HostTensor, Retriever, RetrievAugLMOutput } from '@rag-web/core';
import type { Tensor } from 'onnxruntime-web';
import { CpuRagMath } from './decoding/cpu-rag-math.js';
import { GpuRagMath } from './decoding/gpu-rag-math.js';
import type { RagMath } from './decoding/rag-math.js';
import { DeviceFallbackError, InvalidInputError } from './errors.js';
import { tensorFloat32 } from './ort/tensors.js';
import { loadRagComponents, type PretrainedOptions, type RagComponents } from './pretrained.js';
import { repeatInterleave, resolveContexts, type RagContextArgs, type RagContexts } from './rag-inputs.js';

export interface RagForwardArgs extends RagContextArgs {
  /** (B × T) decoder input ids; every document's row gets the same ones. */
  decoderInputIds: number[][];
  outputRetrieved?: boolean;
  /**
   * transformers' `encoder_outputs`: the generator encoder's (B·n × S × D) output for these
   * contexts when the caller already has it (RAG-Sequence rescoring); used as is, not disposed.
   */
  encoderOutputs?: Tensor;
}

export interface RagFromPretrainedOptions extends PretrainedOptions {
  retriever?: Retriever;
}

/** The generator's output for a batch of contexts, kept on the backend (GPU or CPU) until read. */
export interface GeneratorRun {
  contexts: RagContexts;
  /** (B·n × T' × V) with T' ≥ seqLen (see `decoderLength`). The caller disposes it. */
  logits: Tensor;
  /** T, the length of the decoder inputs the caller gave. */
  seqLen: number;
  /** The decoder inputs as run: the caller's, right-padded with the pad id to T'. */
  decoderInputIds: number[][];
}

/**
 * The decoder length actually run for T inputs. onnxruntime-web 1.30's WebGPU EP (on
 * SwiftShader, at least) returns wrong logits from the full decoder when T > 1 is a multiple of
 * 4 (rag.browser.test.ts shows it); one extra trailing pad position avoids it, and the causal
 * mask keeps it from changing the logits of the first T positions.
 */
export function decoderLength(device: string, seqLen: number): number {
  return device === 'webgpu' && seqLen > 1 && seqLen % 4 === 0 ? seqLen + 1 : seqLen;
}

/** Keeps the first `keep` of `positions` positions of each (positions × vocab) row block. */
export function leadingPositions(data: Float32Array, rows: number, positions: number, keep: number, vocab: number): Float32Array {
  if (keep === positions) return data;
  const out = new Float32Array(rows * keep * vocab);
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * positions * vocab, (r * positions + keep) * vocab), r * keep * vocab);
  return out;
}

/**
 * `transformers.RagModel`: question encoder + retriever + BART generator, no marginalization.
 * The generation classes wrap one of these.
 */
export class RagModel {
  private current: RagComponents;
  private currentMath: RagMath;
  /** Rejects when the current GPUDevice is lost by anything but our own dispose(). */
  private lost: Promise<never> | undefined;
  private lostInfo: GPUDeviceLostInfo | undefined;
  private epoch = 0;
  private fallingBack: Promise<void> | undefined;
  private disposed = false;

  constructor(
    components: RagComponents,
    public retriever?: Retriever,
    private readonly recovery: { reloadOnWasm: () => Promise<RagComponents>; onWarning?: (w: DeviceFallbackError) => void } | undefined = undefined,
  ) {
    this.current = components;
    this.currentMath = this.attach(components);
  }

  static async fromPretrained(model: string | { files: Record<string, Uint8Array> }, options: RagFromPretrainedOptions = {}): Promise<RagModel> {
    const components = await loadRagComponents(model, options);
    return new RagModel(components, options.retriever, {
      reloadOnWasm: () => loadRagComponents(model, { ...options, device: 'wasm' }),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    });
  }

  get components(): RagComponents {
    return this.current;
  }

  get math(): RagMath {
    return this.currentMath;
  }

  get config() {
    return this.current.config;
  }

  get device() {
    return this.current.device;
  }

  private attach(components: RagComponents): RagMath {
    const gpu = components.gpuDevice;
    this.lost = undefined;
    if (gpu) {
      this.lost = new Promise<never>((_, reject) => {
        void gpu.lost.then((info) => {
          if (this.disposed || this.current !== components) return;
          this.lostInfo = info;
          reject(new DeviceFallbackError(`the WebGPU device was lost (${info.reason}: ${info.message})`));
        });
      });
      this.lost.catch(() => undefined);
    }
    return gpu ? new GpuRagMath(components.ort, gpu) : new CpuRagMath(components.ort);
  }

  /**
   * Runs `task` on the current backend. If the WebGPU device is lost before or during it, the
   * model reloads on WASM (with a warning) and runs `task` again from the start: a lost device
   * never leaves a call hanging, because the task is raced against the loss.
   */
  async guard<T>(task: () => Promise<T>): Promise<T> {
    if (this.lostInfo) await this.fallBackToWasm();
    const epoch = this.epoch;
    try {
      return this.lost ? await Promise.race([task(), this.lost]) : await task();
    } catch (err) {
      if (this.lostInfo) await this.fallBackToWasm();
      if (this.epoch === epoch) throw err;
      return task();
    }
  }

  private fallBackToWasm(): Promise<void> {
    this.fallingBack ??= (async () => {
      if (!this.recovery) throw new DeviceFallbackError('the WebGPU device was lost and this model cannot reload on WASM');
      const old = this.current;
      this.recovery.onWarning?.(new DeviceFallbackError(`WebGPU device lost (${this.lostInfo?.reason ?? 'unknown'}); continuing on WASM`));
      const next = await this.recovery.reloadOnWasm();
      this.current = next;
      this.currentMath = this.attach(next);
      this.lostInfo = undefined;
      this.epoch++;
      // The old sessions lived on the lost device; releasing them may fail, which is fine.
      await releaseAll(old).catch(() => undefined);
    })().finally(() => {
      this.fallingBack = undefined;
    });
    return this.fallingBack;
  }

  /** Retrieval (if needed) and one generator pass over `decoderInputIds` for every document. */
  async runGenerator(args: RagForwardArgs): Promise<GeneratorRun> {
    const { config, questionEncoder, generator } = this.components;
    const contexts = await resolveContexts(args, config, questionEncoder, this.retriever);
    if (args.decoderInputIds.length !== contexts.batch) {
      throw new InvalidInputError(`decoderInputIds has ${args.decoderInputIds.length} rows for a batch of ${contexts.batch}`);
    }
    const seqLen = args.decoderInputIds[0]?.length ?? 0;
    const runLen = decoderLength(this.device, seqLen);
    const pad = config.generator.padTokenId ?? 1;
    const decoderInputIds = args.decoderInputIds.map((row) => [...row, ...new Array<number>(runLen - row.length).fill(pad)]);
    const given = args.encoderOutputs;
    if (given && given.dims[0] !== contexts.contextInputIds.length) {
      throw new InvalidInputError(`encoderOutputs has ${given.dims[0]} rows for ${contexts.contextInputIds.length} contexts`);
    }
    const hidden = given ?? (await generator.encode(contexts.contextInputIds, contexts.contextAttentionMask));
    try {
      const step = await generator.decodeFirst(
        repeatInterleave(decoderInputIds, contexts.nDocs),
        hidden,
        generator.int64(contexts.contextAttentionMask),
      );
      step.past.dispose();
      return { contexts, logits: step.logits, seqLen, decoderInputIds };
    } finally {
      if (hidden !== given) hidden.dispose();
    }
  }

  /** `RagModel.forward`: per-document logits (B·n × T × V) and doc scores, not marginalized. */
  forward(args: RagForwardArgs): Promise<RetrievAugLMOutput> {
    return this.guard(async () => {
      const run = await this.runGenerator(args);
      try {
        return await outputOf(run, args.outputRetrieved ?? this.config.outputRetrieved);
      } finally {
        run.logits.dispose();
      }
    });
  }

  /** Releases every ONNX session; the model cannot be used afterwards. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await releaseAll(this.current);
  }
}

async function releaseAll(components: RagComponents): Promise<void> {
  const { questionEncoder, contextEncoder, generator } = components;
  await Promise.all([questionEncoder.release(), contextEncoder?.release(), generator.release()]);
}

/** The fields every RAG output shares, read back from the backend. */
export async function outputOf(run: GeneratorRun, outputRetrieved: boolean, logits?: HostTensor): Promise<RetrievAugLMOutput> {
  const { contexts } = run;
  const [rows = 0, positions = 0, vocab = 0] = run.logits.dims;
  const out: RetrievAugLMOutput = {
    logits: logits ?? { data: leadingPositions(await tensorFloat32(run.logits), rows, positions, run.seqLen, vocab), dims: [rows, run.seqLen, vocab] },
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

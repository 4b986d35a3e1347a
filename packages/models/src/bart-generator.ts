import { createOutputBuffer, gpuLabel, readBuffer, type GeneratorConfig } from '@rag-web/core';
import type { Tensor } from 'onnxruntime-web';
import type { DecoderGraphs } from './decoder-graphs.js';
import { InvalidInputError } from './errors.js';
import type { OnnxSession } from './ort/onnx-session.js';
import { ortGpuDevice, type Ort } from './ort/runtime.js';
import { int64Matrix } from './ort/tensors.js';
import { PastKeyValues } from './past-key-values.js';

export interface DecoderStep {
  /** (rows × t × V) logits; a `gpu-buffer` tensor on WebGPU. The caller disposes it. */
  logits: Tensor;
  past: PastKeyValues;
}

/**
 * The BART generator: its encoder graph and its decoder, exported split (one graph for the first
 * step, one with the past) or merged into one graph — layouts.json's `bart-split` and `bart-merged`.
 */
export class BartGenerator {
  constructor(
    private readonly ort: Ort,
    readonly config: GeneratorConfig,
    private readonly encoder: OnnxSession,
    private readonly decoder: DecoderGraphs,
  ) {}

  get vocabSize(): number {
    return this.config.vocabSize;
  }

  /** The decoder shares each document's encoder side among its beams (DecoderGraphs.sharedCrossAttention). */
  get sharedCrossAttention(): boolean {
    return this.decoder.sharedCrossAttention;
  }

  /**
   * The decoder's `encoder_attention_mask` for encoder rows laid out (batch, doc): (batch, nDocs, S)
   * for a decoder with shared cross-attention, else the rows as they are (rows × S).
   */
  encoderMask(rows: number[][], nDocs: number): Tensor {
    const mask = int64Matrix(this.ort, rows);
    if (!this.sharedCrossAttention) return mask;
    return new this.ort.Tensor('int64', mask.data as BigInt64Array, [rows.length / nDocs, nDocs, mask.dims[1] ?? 0]);
  }

  /** Generator encoder over (rows × S) context ids → (rows × S × D) hidden states (caller disposes). */
  async encode(inputIds: number[][], attentionMask: number[][]): Promise<Tensor> {
    if (inputIds.length === 0) throw new InvalidInputError('generator encoder: no context rows');
    const out = await this.encoder.run({ input_ids: int64Matrix(this.ort, inputIds), attention_mask: int64Matrix(this.ort, attentionMask) });
    return out.last_hidden_state!;
  }

  /**
   * The decoder's (rows × T × V) logits for every position of `decoderInputIds` (a labels
   * forward, no cache kept); a `gpu-buffer` tensor on WebGPU. The caller disposes it.
   *
   * onnxruntime-web 1.30's WebGPU EP (on SwiftShader, at least) returns wrong logits from the
   * full decoder when T > 1 is a multiple of 4 (rag.browser.test.ts shows it). Such a run gets two
   * trailing pad positions, which the causal mask keeps from changing the first T, and the first T
   * positions of each row are copied out on the GPU. Two, not one: rows of (T + 2) float16
   * logits stay 4-byte aligned for the copy whatever the vocabulary size.
   */
  async forwardLogits(decoderInputIds: number[][], encoderHiddenStates: Tensor, encoderAttentionMask: Tensor): Promise<Tensor> {
    const seqLen = decoderInputIds[0]?.length ?? 0;
    const extra = this.decoder.device === 'webgpu' && seqLen > 1 && seqLen % 4 === 0 ? 2 : 0;
    const pad = this.config.padTokenId ?? 1;
    const inputIds = extra ? decoderInputIds.map((row) => [...row, ...new Array<number>(extra).fill(pad)]) : decoderInputIds;
    const step = await this.decodeFirst(inputIds, encoderHiddenStates, encoderAttentionMask);
    step.past.dispose();
    return extra ? leadingPositions(this.ort, await ortGpuDevice(this.ort), step.logits, seqLen) : step.logits;
  }

  /**
   * Decoder over a whole prefix (rows × t): logits for every position and the full cache
   * (generation's first step). With shared cross-attention `encoderHiddenStates` and the mask
   * hold each (batch, doc) once and the rows are (batch, beam, doc); otherwise one per row.
   */
  async decodeFirst(decoderInputIds: number[][], encoderHiddenStates: Tensor, encoderAttentionMask: Tensor): Promise<DecoderStep> {
    const out = await this.decoder.first({
      input_ids: int64Matrix(this.ort, decoderInputIds),
      encoder_hidden_states: encoderHiddenStates,
      encoder_attention_mask: encoderAttentionMask,
    });
    return { logits: out.logits!, past: PastKeyValues.fromOutputs(this.config.decoderLayers, out) };
  }

  /**
   * One more token per row with the cache. The previous self-attention tensors are disposed
   * here (they are replaced); the cross-attention ones move into the new cache.
   */
  async decodeNext(tokens: number[], encoderAttentionMask: Tensor, past: PastKeyValues): Promise<DecoderStep> {
    const out = await this.decoder.next({
      input_ids: int64Matrix(this.ort, tokens.map((t) => [t])),
      encoder_attention_mask: encoderAttentionMask,
      ...past.feeds(),
    });
    const next = PastKeyValues.fromOutputs(this.config.decoderLayers, out, past);
    past.disposeReplacedBy(next);
    return { logits: out.logits!, past: next };
  }

  async release(): Promise<void> {
    await Promise.all([this.encoder.release(), this.decoder.release()]);
  }
}

/** The first `keep` positions of each row of (rows × T' × V) GPU logits, copied on the device; `logits` is disposed. */
function leadingPositions(ort: Ort, device: GPUDevice, logits: Tensor, keep: number): Tensor {
  const [rows = 0, positions = 0, vocab = 0] = logits.dims;
  if (logits.location !== 'gpu-buffer') throw new TypeError(`expected gpu-buffer logits on WebGPU, got ${logits.location}`);
  const source = logits.gpuBuffer as GPUBuffer;
  const dataType = logits.type === 'float16' ? 'float16' : 'float32';
  const positionBytes = (dataType === 'float16' ? 2 : 4) * vocab;
  const out = createOutputBuffer(device, rows * keep * positionBytes, 'generator.logits');
  const encoder = device.createCommandEncoder({ label: gpuLabel('generator.leadingPositions') });
  for (let r = 0; r < rows; r++) encoder.copyBufferToBuffer(source, r * positions * positionBytes, out, r * keep * positionBytes, keep * positionBytes);
  device.queue.submit([encoder.finish({ label: gpuLabel('generator.leadingPositions') })]);
  // The copy is queued ahead of whatever reuses the padded buffer.
  logits.dispose();
  const bytes = rows * keep * positionBytes;
  return ort.Tensor.fromGpuBuffer(out, {
    dataType,
    dims: [rows, keep, vocab],
    // A labels forward reads its logits back (RagModel.forward's output).
    download: async () => (dataType === 'float16' ? new Uint16Array(await readBuffer(device, out, bytes)) : new Float32Array(await readBuffer(device, out, bytes))),
    dispose: () => out.destroy(),
  });
}

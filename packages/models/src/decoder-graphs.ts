import type { GeneratorConfig } from '@rag-web/core';
import type { Tensor } from 'onnxruntime-web';
import type { ResolvedDevice } from './devices.js';
import type { OnnxSession } from './ort/onnx-session.js';
import type { Ort } from './ort/runtime.js';
import { PastKeyValues } from './past-key-values.js';

/**
 * The BART decoder's two ways of being exported (layouts.json): `first` runs a whole prefix and
 * returns the full cache, `next` runs one token per row on the cache and returns the
 * self-attention part of the new cache (the cross-attention part does not change).
 */
export interface DecoderGraphs {
  readonly device: ResolvedDevice;
  /**
   * Exported with shared cross-attention (tools/export_rag.py --cross-attention shared): the
   * encoder output, its cross-attention cache and the mask — (batch, nDocs, S) — are held once per
   * document and shared by that document's beams, not expanded to every decoder row.
   */
  readonly sharedCrossAttention: boolean;
  first(feeds: { input_ids: Tensor; encoder_hidden_states: Tensor; encoder_attention_mask: Tensor }): Promise<Record<string, Tensor>>;
  next(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
}

/** `bart-split`: the `decoder` graph for the first step, `decoderWithPast` for the others. */
export class SplitDecoder implements DecoderGraphs {
  readonly sharedCrossAttention: boolean;

  constructor(
    private readonly decoder: OnnxSession,
    private readonly decoderWithPast: OnnxSession,
  ) {
    this.sharedCrossAttention = decoder.inputRank('encoder_attention_mask') === 3;
  }

  get device(): ResolvedDevice {
    return this.decoder.device;
  }

  first(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    return this.decoder.run(feeds);
  }

  next(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    return this.decoderWithPast.run(feeds);
  }

  async release(): Promise<void> {
    await Promise.all([this.decoder.release(), this.decoderWithPast.release()]);
  }
}

/**
 * `bart-merged` (optimum, transformers.js): one graph holding both decoders once, chosen by
 * `use_cache_branch`. The first step feeds empty (length 0) past tensors; the next ones feed a
 * one-element stand-in for the unused `encoder_hidden_states` and fetch only the logits and
 * the self-attention presents (the cross-attention presents are empty placeholders there).
 */
export class MergedDecoder implements DecoderGraphs {
  private readonly pastType: Tensor.Type;
  private readonly hiddenType: Tensor.Type;
  readonly sharedCrossAttention: boolean;
  private readonly nextFetches: string[];

  constructor(
    private readonly ort: Ort,
    private readonly config: GeneratorConfig,
    private readonly session: OnnxSession,
  ) {
    const layers = config.decoderLayers;
    this.pastType = session.inputType(PastKeyValues.inputName(0, 'decoder', 'key')) ?? 'float32';
    this.hiddenType = session.inputType('encoder_hidden_states') ?? 'float32';
    this.sharedCrossAttention = session.inputRank('encoder_attention_mask') === 3;
    this.nextFetches = ['logits', ...PastKeyValues.names(layers, ['decoder'], PastKeyValues.outputName)];
  }

  get device(): ResolvedDevice {
    return this.session.device;
  }

  first(feeds: { input_ids: Tensor; encoder_hidden_states: Tensor; encoder_attention_mask: Tensor }): Promise<Record<string, Tensor>> {
    const heads = this.config.decoderAttentionHeads;
    const empty = (rows: number) => this.zeros(this.pastType, [rows, heads, 0, this.config.dModel / heads]);
    const selfEmpty = empty(feeds.input_ids.dims[0] ?? 0);
    const crossEmpty = empty(feeds.encoder_hidden_states.dims[0] ?? 0);
    const past = Object.fromEntries(PastKeyValues.names(this.config.decoderLayers, ['decoder', 'encoder'], PastKeyValues.inputName).map((n) => [n, n.includes('.decoder.') ? selfEmpty : crossEmpty]));
    return this.session.run({ ...feeds, ...past, use_cache_branch: this.flag(false) });
  }

  next(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const hidden = this.zeros(this.hiddenType, [1, 1, this.config.dModel]);
    return this.session.run({ ...feeds, encoder_hidden_states: hidden, use_cache_branch: this.flag(true) }, this.nextFetches);
  }

  release(): Promise<void> {
    return this.session.release();
  }

  private flag(value: boolean): Tensor {
    return new this.ort.Tensor('bool', new Uint8Array([value ? 1 : 0]), [1]);
  }

  private zeros(type: Tensor.Type, dims: number[]): Tensor {
    const n = dims.reduce((a, b) => a * b, 1);
    return type === 'float16' ? new this.ort.Tensor('float16', new Uint16Array(n), dims) : new this.ort.Tensor('float32', new Float32Array(n), dims);
  }
}

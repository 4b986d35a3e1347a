import type { Tensor } from 'onnxruntime-web';

/**
 * The decoder's key/value cache: per layer, self-attention (`decoder`, grows each step) and
 * cross-attention (`encoder`, fixed) keys and values, [rows, heads, len, headDim]. On WebGPU the
 * tensors are ORT `gpu-buffer` outputs fed straight back as the next step's inputs.
 */
export class PastKeyValues {
  constructor(
    readonly layers: number,
    private readonly tensors: Map<string, Tensor>,
  ) {}

  static inputName(layer: number, kind: 'decoder' | 'encoder', kv: 'key' | 'value'): string {
    return `past_key_values.${layer}.${kind}.${kv}`;
  }

  static outputName(layer: number, kind: 'decoder' | 'encoder', kv: 'key' | 'value'): string {
    return `present.${layer}.${kind}.${kv}`;
  }

  static names(layers: number, kinds: Array<'decoder' | 'encoder'>, naming: (l: number, k: 'decoder' | 'encoder', kv: 'key' | 'value') => string): string[] {
    const out: string[] = [];
    for (let l = 0; l < layers; l++) for (const k of kinds) for (const kv of ['key', 'value'] as const) out.push(naming(l, k, kv));
    return out;
  }

  /** Collects `present.*` outputs; cross-attention entries absent from `outputs` are kept from `previous`. */
  static fromOutputs(layers: number, outputs: Record<string, Tensor>, previous?: PastKeyValues): PastKeyValues {
    const tensors = new Map<string, Tensor>();
    for (let l = 0; l < layers; l++) {
      for (const kind of ['decoder', 'encoder'] as const) {
        for (const kv of ['key', 'value'] as const) {
          const key = `${l}.${kind}.${kv}`;
          const t = outputs[PastKeyValues.outputName(l, kind, kv)] ?? previous?.tensors.get(key);
          if (!t) throw new Error(`decoder output ${PastKeyValues.outputName(l, kind, kv)} is missing`);
          tensors.set(key, t);
        }
      }
    }
    return new PastKeyValues(layers, tensors);
  }

  /** The past feeds of the next decoder step. */
  feeds(): Record<string, Tensor> {
    const feeds: Record<string, Tensor> = {};
    for (const [key, t] of this.tensors) {
      const [l, kind, kv] = key.split('.') as [string, 'decoder' | 'encoder', 'key' | 'value'];
      feeds[PastKeyValues.inputName(Number(l), kind, kv)] = t;
    }
    return feeds;
  }

  /**
   * Replaces the self-attention tensors through `fn` (a beam reorder), disposing the old ones.
   * Cross-attention tensors are kept: every beam of a batch item attends to the same encoder
   * output, so reordering beams within an item leaves them unchanged.
   */
  async mapSelfAttention(fn: (t: Tensor) => Promise<Tensor>): Promise<PastKeyValues> {
    const next: Tensor[] = [];
    for (const t of this.selfAttention()) next.push(await fn(t));
    return this.withSelfAttention(next);
  }

  /** The self-attention tensors, in a fixed order (what a beam step reorders). */
  selfAttention(): Tensor[] {
    return [...this.tensors].filter(([key]) => key.includes('.decoder.')).map(([, t]) => t);
  }

  /** This cache with `selfAttention()` replaced by `tensors` (same order); the old ones are disposed. */
  withSelfAttention(tensors: readonly Tensor[]): PastKeyValues {
    const next = new Map<string, Tensor>();
    let i = 0;
    for (const [key, t] of this.tensors) {
      if (key.includes('.decoder.')) {
        next.set(key, tensors[i++] as Tensor);
        t.dispose();
      } else {
        next.set(key, t);
      }
    }
    return new PastKeyValues(this.layers, next);
  }

  /** Disposes the tensors that `next` no longer holds (the self-attention ones after a step). */
  disposeReplacedBy(next: PastKeyValues): void {
    for (const [key, t] of this.tensors) if (next.tensors.get(key) !== t) t.dispose();
  }

  dispose(): void {
    for (const t of this.tensors.values()) t.dispose();
    this.tensors.clear();
  }
}

// Test doubles for the knowledge-base suites: an embedder that counts its calls, and a storage
// back-end that fails on demand the way IndexedDB does.
import type { Embedder } from '@rag-web/core';
import { seededRandom } from '../../../test/seeded-random.js';
import { IdbBackend, type StoreBackend, type StoreKey, type WriteOps } from '../src/store-backend.js';

/** Deterministic embeddings from the passage text; counts how many passages it embedded. */
export class CountingEmbedder implements Embedder {
  calls = 0;
  embedded = 0;

  constructor(
    readonly dimension: number,
    readonly modelId = 'test/counting-ctx-encoder',
  ) {}

  async embed(passages: Array<{ title: string; text: string }>, options?: { signal?: AbortSignal }): Promise<Float32Array> {
    options?.signal?.throwIfAborted();
    this.calls++;
    this.embedded += passages.length;
    const out = new Float32Array(passages.length * this.dimension);
    passages.forEach((p, i) => out.set(vectorFor(`${p.title}\u0000${p.text}`, this.dimension), i * this.dimension));
    return out;
  }
}

export function vectorFor(text: string, dimension: number): Float32Array {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  const rand = seededRandom(h >>> 0);
  return Float32Array.from({ length: dimension }, () => rand() * 2 - 1);
}

/** JSONL of `n` passages `doc i` (ids = line numbers). */
export function passagesJsonl(n: number, offset = 0): string {
  return Array.from({ length: n }, (_, i) => JSON.stringify({ title: `title ${i + offset}`, text: `passage number ${i + offset} about topic ${(i + offset) % 7}` })).join('\n') + '\n';
}

/**
 * Wraps a back-end; `failOn(n, error)` makes its n-th write from now (1-based) throw `error`
 * before touching the wrapped store, like an IndexedDB transaction that aborts (nothing of it
 * lands).
 */
export class FailingBackend implements StoreBackend {
  private countdown = 0;
  private error: unknown = null;

  constructor(readonly inner: StoreBackend) {}

  get name(): string {
    return this.inner.name;
  }

  failOn(nthWrite: number, error: unknown): void {
    this.countdown = nthWrite;
    this.error = error;
  }

  get<T>(key: string | number) {
    return this.inner.get<T>(key);
  }
  getMany<T>(keys: Array<string | number>) {
    return this.inner.getMany<T>(keys);
  }
  getIdRange<T>(from: number, to: number) {
    return this.inner.getIdRange<T>(from, to);
  }
  countIdRange(from: number, to: number) {
    return this.inner.countIdRange(from, to);
  }
  async write(ops: WriteOps): Promise<void> {
    if (this.countdown > 0 && --this.countdown === 0) throw this.error;
    return this.inner.write(ops);
  }
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.inner.exclusive(fn);
  }
  close() {
    return this.inner.close();
  }
  destroy() {
    return this.inner.destroy();
  }
}

export function quotaExceeded(): DOMException {
  return new DOMException('The quota has been exceeded.', 'QuotaExceededError');
}

/** IndexedDB back-end whose `failAtPut`-th record put (1-based, counted over its life) throws QuotaExceededError inside the transaction. */
export class QuotaIdbBackend extends IdbBackend {
  private puts = 0;

  constructor(
    name: string,
    private readonly failAtPut: number,
  ) {
    super(name);
  }

  protected override putRecord(store: IDBObjectStore, key: StoreKey, value: unknown): void {
    if (++this.puts === this.failAtPut) throw quotaExceeded();
    super.putRecord(store, key, value);
  }
}

import { ShapeError } from '@rag-web/core';
import { EmptyKnowledgeBaseError, NotEnoughPassagesError } from './errors.js';

/** Top-k of a batch of queries, batch-major: row `q` is `[q·k, (q+1)·k)`, best first. */
export interface SearchResult {
  ids: Int32Array;
  /** Inner products `query · passage`, non-increasing along each row. */
  scores: Float32Array;
}

/**
 * Maximum-inner-product search over passage embeddings keyed by doc id. DPR scores are inner
 * products, not cosines: no index here normalizes vectors. Equal scores rank the lower id first.
 */
export interface VectorIndex {
  readonly kind: 'hnsw' | 'exact';
  readonly dimension: number;
  /** Number of searchable vectors (removed ones excluded). */
  readonly size: number;
  /** `queries` is (n × dimension) float32; `1 ≤ k ≤ size`. */
  search(queries: Float32Array, k: number): Promise<SearchResult>;
  /** `vectors` is (ids.length × dimension); an id must not be in the index already. */
  add(ids: ArrayLike<number>, vectors: Float32Array): void;
  remove(ids: ArrayLike<number>): void;
  /** Frees WASM or GPU memory; the index is unusable afterwards. */
  dispose(): void;
}

/** Checks a search request; returns the number of queries. */
export function validateSearch(index: Pick<VectorIndex, 'dimension' | 'size'>, queries: Float32Array, k: number): number {
  const d = index.dimension;
  if (queries.length === 0 || queries.length % d !== 0) {
    throw new ShapeError(`search: queries hold ${queries.length} values, not a positive multiple of the dimension ${d}`, {
      length: queries.length,
      dimension: d,
    });
  }
  if (index.size === 0) throw new EmptyKnowledgeBaseError('index');
  if (!Number.isInteger(k) || k < 1) throw new ShapeError(`search: k must be a positive integer, got ${k}`, { k });
  if (k > index.size) throw new NotEnoughPassagesError(k, index.size);
  return queries.length / d;
}

/** Checks an `add` call; returns the number of vectors. */
export function validateAdd(dimension: number, ids: ArrayLike<number>, vectors: Float32Array): number {
  if (vectors.length !== ids.length * dimension) {
    throw new ShapeError(`add: ${ids.length} ids need ${ids.length * dimension} values, got ${vectors.length}`, {
      ids: ids.length,
      values: vectors.length,
      dimension,
    });
  }
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) throw new ShapeError(`add: id ${id} is not a non-negative 31-bit integer`, { id });
  }
  return ids.length;
}

/** Orders one row in place by score (descending), then id (ascending): the fixtures' tie rule. */
export function sortRow(ids: Int32Array, scores: Float32Array): void {
  const order = Array.from(ids.keys()).sort((a, b) => scores[b]! - scores[a]! || ids[a]! - ids[b]!);
  const i2 = order.map((o) => ids[o]!);
  const s2 = order.map((o) => scores[o]!);
  ids.set(i2);
  scores.set(s2);
}

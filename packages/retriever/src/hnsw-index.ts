import { RagConfigError, ShapeError } from '@rag-web/core';
import { deserializeHnsw, loadHnswlib, serializeHnsw, type HierarchicalNSW, type HnswlibModule } from './hnsw-wasm.js';
import { RetrievalError } from './errors.js';
import type { HnswParams } from './manifest.js';
import { sortRow, validateAdd, validateSearch, type SearchResult, type VectorIndex } from './vector-index.js';

/**
 * Defaults measured here (see bench/retriever/RESULTS.md): on 20k uniform random 768-d vectors —
 * no low-dimensional structure, the worst case for a graph index — recall@10 against exact
 * search reaches 0.99 only once efSearch is in the thousands, whatever M and efConstruction
 * (which mostly cost build time in single-threaded WASM). Real encoder embeddings reach the
 * same recall at a far smaller efSearch: lower `efSearch` for speed once recall on your own
 * data is measured (`index.efSearch = 128`).
 */
export const HNSW_DEFAULTS: Readonly<HnswParams> = Object.freeze({ m: 16, efConstruction: 64, efSearch: 4000, randomSeed: 100 });

/**
 * Approximate maximum-inner-product search over hnswlib-wasm's HNSW graph in the `'ip'` space,
 * whose distance is `1 − q·x`: scores are returned as `1 − distance`. Doc ids are hnswlib labels;
 * removal marks them deleted (they never come back in results). Rows are re-sorted so that equal
 * scores rank the lower id first.
 */
export class HnswIndex implements VectorIndex {
  readonly kind = 'hnsw' as const;
  private live: number;
  private capacity: number;
  private ef: number;

  private constructor(
    private readonly lib: HnswlibModule,
    private readonly graph: HierarchicalNSW,
    readonly dimension: number,
    readonly params: Readonly<HnswParams>,
    live: number,
    capacity: number,
  ) {
    this.live = live;
    this.capacity = capacity;
    this.ef = params.efSearch;
  }

  static async create(dimension: number, params: Partial<HnswParams> = {}, capacity = 1024): Promise<HnswIndex> {
    const p = resolveHnswParams(params);
    if (!Number.isInteger(dimension) || dimension <= 0) throw new ShapeError(`HnswIndex: dimension must be a positive integer, got ${dimension}`);
    const lib = await loadHnswlib();
    const graph = new lib.HierarchicalNSW('ip', dimension, '');
    const cap = Math.max(16, capacity);
    graph.initIndex(cap, p.m, p.efConstruction, p.randomSeed);
    return new HnswIndex(lib, graph, dimension, p, 0, cap);
  }

  /** A graph from `serialize()` bytes (or any hnswlib `saveIndex` file in the inner-product space). */
  static async deserialize(bytes: Uint8Array, dimension: number, params: Partial<HnswParams> = {}): Promise<HnswIndex> {
    const p = resolveHnswParams(params);
    const lib = await loadHnswlib();
    // Capacity is taken from the file; growing later goes through resizeIndex.
    const graph = await deserializeHnsw(lib, bytes, dimension, 0);
    if (graph.getNumDimensions() !== dimension) {
      throw new ShapeError(`HnswIndex: the stored graph has dimension ${graph.getNumDimensions()}, expected ${dimension}`);
    }
    const live = graph.getCurrentCount() - graph.getDeletedLabels().length;
    return new HnswIndex(lib, graph, dimension, p, live, graph.getMaxElements());
  }

  get size(): number {
    return this.live;
  }

  /** Search-time candidate list size; raising it trades speed for recall. */
  get efSearch(): number {
    return this.ef;
  }

  set efSearch(ef: number) {
    if (!Number.isInteger(ef) || ef < 1) throw new RagConfigError(`efSearch must be a positive integer, got ${ef}`);
    this.ef = ef;
  }

  async search(queries: Float32Array, k: number): Promise<SearchResult> {
    const n = validateSearch(this, queries, k);
    const d = this.dimension;
    const ids = new Int32Array(n * k).fill(-1);
    const scores = new Float32Array(n * k).fill(-Infinity);
    this.graph.setEfSearch(Math.max(this.ef, k));
    for (let q = 0; q < n; q++) {
      const query = queries.subarray(q * d, (q + 1) * d);
      let res = this.graph.searchKnn(query, k, undefined);
      if (res.neighbors.length < k) {
        // Removals can leave the greedy search short of k live points: widen it to the whole graph once.
        this.graph.setEfSearch(Math.max(this.ef, k, this.graph.getCurrentCount()));
        res = this.graph.searchKnn(query, k, undefined);
        this.graph.setEfSearch(Math.max(this.ef, k));
        if (res.neighbors.length < k) throw new RetrievalError(`HnswIndex: found only ${res.neighbors.length} of ${k} neighbours among ${this.live} passages`);
      }
      const rowIds = ids.subarray(q * k, (q + 1) * k);
      const rowScores = scores.subarray(q * k, (q + 1) * k);
      res.neighbors.forEach((label, j) => {
        rowIds[j] = label;
        rowScores[j] = 1 - res.distances[j]!;
      });
      sortRow(rowIds, rowScores);
    }
    return { ids, scores };
  }

  add(ids: ArrayLike<number>, vectors: Float32Array): void {
    const n = validateAdd(this.dimension, ids, vectors);
    const needed = this.graph.getCurrentCount() + n;
    if (needed > this.capacity) {
      this.capacity = Math.max(needed, this.capacity * 2);
      this.graph.resizeIndex(this.capacity);
    }
    const d = this.dimension;
    for (let i = 0; i < n; i++) this.graph.addPoint(vectors.subarray(i * d, (i + 1) * d), ids[i]!, false);
    this.live += n;
  }

  remove(ids: ArrayLike<number>): void {
    for (let i = 0; i < ids.length; i++) {
      this.graph.markDelete(ids[i]!);
      this.live--;
    }
  }

  /** hnswlib's own file format (what `saveIndex` writes), labels = doc ids. */
  serialize(): Promise<Uint8Array> {
    return serializeHnsw(this.lib, this.graph);
  }

  dispose(): void {
    (this.graph as unknown as { delete?: () => void }).delete?.();
  }
}

export function resolveHnswParams(params: Partial<HnswParams>): HnswParams {
  const p = { ...HNSW_DEFAULTS, ...params };
  for (const [k, v] of Object.entries(p)) {
    if (!Number.isInteger(v) || v < (k === 'randomSeed' ? 0 : 1)) throw new RagConfigError(`HNSW parameter ${k} must be a positive integer, got ${v}`, { [k]: v });
  }
  if (p.m < 2) throw new RagConfigError(`HNSW parameter m must be at least 2, got ${p.m}`, { m: p.m });
  return p;
}

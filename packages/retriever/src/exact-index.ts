import { createStorageBuffer, ipScoresRef, KernelRunner, readTopK, runIpScores, runTopK, ShapeError, TOP_K_MAX_K, topKRef } from '@rag-web/core';
import { validateAdd, validateSearch, type SearchResult, type VectorIndex } from './vector-index.js';

/** Scores computed per CPU step: bounds the scratch matrix to this many floats. */
const CPU_SCORES_BUDGET = 1 << 22;

/**
 * Brute-force maximum-inner-product search: the reference that HNSW recall is measured against,
 * and the index of choice for small knowledge bases.
 *
 * Rows are kept in ascending id order, so "equal scores → lower column first" (core's topK rule)
 * is "lower id first", as in the fixtures. With a `GPUDevice` the scores are computed by the
 * `ipScores` shader and selected by core's `runTopK`, reading back only k ids and scores per
 * query; the corpus is uploaded once (again after add/remove) and split into shards that each fit
 * one storage binding. Without a device, or for k above core's TOP_K_MAX_K, the same math runs on
 * the CPU (`ipScoresRef` + `topKRef`).
 */
export class ExactIndex implements VectorIndex {
  readonly kind = 'exact' as const;
  private ids = new Int32Array(0);
  private vectors = new Float32Array(0);
  private rows = 0;
  private shards: Array<{ start: number; rows: number; buffer: GPUBuffer }> | null = null;

  /**
   * `maxShardRows` caps the rows per GPU buffer below what the device's binding limit allows
   * (tests use it to exercise the cross-shard merge).
   */
  constructor(
    readonly dimension: number,
    private readonly device: GPUDevice | null = null,
    private readonly options: { maxShardRows?: number } = {},
  ) {
    if (!Number.isInteger(dimension) || dimension <= 0) throw new ShapeError(`ExactIndex: dimension must be a positive integer, got ${dimension}`);
  }

  get size(): number {
    return this.rows;
  }

  /** Whether searches run on WebGPU. */
  get onGpu(): boolean {
    return this.device !== null;
  }

  add(ids: ArrayLike<number>, vectors: Float32Array): void {
    const n = validateAdd(this.dimension, ids, vectors);
    const d = this.dimension;
    this.reserve(this.rows + n);
    const present = new Set(this.ids.subarray(0, this.rows));
    let sorted = true;
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      if (present.has(id)) throw new ShapeError(`ExactIndex.add: id ${id} is already indexed`, { id });
      present.add(id);
      const prev = this.rows > 0 ? this.ids[this.rows - 1]! : -1;
      if (id < prev) sorted = false;
      this.ids[this.rows] = id;
      this.vectors.set(vectors.subarray(i * d, (i + 1) * d), this.rows * d);
      this.rows++;
    }
    if (!sorted) this.sortRows();
    this.invalidateGpu();
  }

  remove(ids: ArrayLike<number>): void {
    const drop = new Set(Array.from(ids));
    const d = this.dimension;
    let w = 0;
    for (let r = 0; r < this.rows; r++) {
      if (drop.has(this.ids[r]!)) continue;
      if (w !== r) {
        this.ids[w] = this.ids[r]!;
        this.vectors.copyWithin(w * d, r * d, (r + 1) * d);
      }
      w++;
    }
    this.rows = w;
    this.invalidateGpu();
  }

  async search(queries: Float32Array, k: number): Promise<SearchResult> {
    const nq = validateSearch(this, queries, k);
    if (this.device && k <= TOP_K_MAX_K) return this.searchGpu(this.device, queries, nq, k);
    return this.searchCpu(queries, nq, k);
  }

  /** The CPU path, also usable directly as the reference when a device is attached. */
  searchCpu(queries: Float32Array, nq: number, k: number): SearchResult {
    const d = this.dimension;
    const ids = new Int32Array(nq * k);
    const scores = new Float32Array(nq * k);
    const perStep = Math.max(1, Math.floor(CPU_SCORES_BUDGET / this.rows));
    const corpus = this.vectors.subarray(0, this.rows * d);
    for (let q0 = 0; q0 < nq; q0 += perStep) {
      const m = Math.min(perStep, nq - q0);
      const s = ipScoresRef(queries.subarray(q0 * d, (q0 + m) * d), corpus, { queries: m, rows: this.rows, dim: d });
      const top = topKRef(s, { rows: m, cols: this.rows, k });
      for (let j = 0; j < m * k; j++) {
        ids[q0 * k + j] = this.ids[top.ids[j]!]!;
        scores[q0 * k + j] = top.values[j]!;
      }
    }
    return { ids, scores };
  }

  dispose(): void {
    this.invalidateGpu();
  }

  private async searchGpu(device: GPUDevice, queries: Float32Array, nq: number, k: number): Promise<SearchResult> {
    const d = this.dimension;
    const shards = this.uploadShards(device);
    const maxBinding = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
    // Candidates per query: k per shard, merged below (ties across shards by lower id).
    const cand: Array<Array<{ id: number; score: number }>> = Array.from({ length: nq }, () => []);
    for (const shard of shards) {
      const kk = Math.min(k, shard.rows);
      const perStep = Math.max(1, Math.floor(maxBinding / (shard.rows * 4)));
      for (let q0 = 0; q0 < nq; q0 += perStep) {
        const m = Math.min(perStep, nq - q0);
        // Scores, selection and read-back in one submit; the intermediates are the runner's.
        const run = new KernelRunner(device, 'exactIndex.search');
        const qBuf = run.input(queries.subarray(q0 * d, (q0 + m) * d), 'exactIndex.queries');
        const scores = runIpScores(run, qBuf, shard.buffer, { queries: m, rows: shard.rows, dim: d });
        const top = runTopK(run, scores, { rows: m, cols: shard.rows, k: kk });
        const reading = readTopK(run, top, m, kk);
        run.submit();
        const res = await reading;
        for (const b of [scores, top.ids, top.values]) b.destroy();
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < kk; j++) cand[q0 + i]!.push({ id: this.ids[shard.start + res.ids[i * kk + j]!]!, score: res.values[i * kk + j]! });
        }
      }
    }
    const ids = new Int32Array(nq * k);
    const scores = new Float32Array(nq * k);
    cand.forEach((row, q) => {
      if (shards.length > 1) row.sort((a, b) => b.score - a.score || a.id - b.id);
      for (let j = 0; j < k; j++) {
        ids[q * k + j] = row[j]!.id;
        scores[q * k + j] = row[j]!.score;
      }
    });
    return { ids, scores };
  }

  private uploadShards(device: GPUDevice): Array<{ start: number; rows: number; buffer: GPUBuffer }> {
    if (this.shards) return this.shards;
    const d = this.dimension;
    const maxBinding = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
    const rowsPerShard = Math.max(1, Math.min(this.options.maxShardRows ?? Infinity, Math.floor(maxBinding / (d * 4))));
    this.shards = [];
    for (let start = 0; start < this.rows; start += rowsPerShard) {
      const rows = Math.min(rowsPerShard, this.rows - start);
      const buffer = createStorageBuffer(device, this.vectors.subarray(start * d, (start + rows) * d), `exactIndex.corpus[${start}]`);
      this.shards.push({ start, rows, buffer });
    }
    return this.shards;
  }

  private invalidateGpu(): void {
    for (const s of this.shards ?? []) s.buffer.destroy();
    this.shards = null;
  }

  private reserve(rows: number): void {
    if (rows * this.dimension <= this.vectors.length) return;
    const cap = Math.max(rows, Math.ceil(this.ids.length * 1.5), 64);
    const ids = new Int32Array(cap);
    ids.set(this.ids.subarray(0, this.rows));
    const vectors = new Float32Array(cap * this.dimension);
    vectors.set(this.vectors.subarray(0, this.rows * this.dimension));
    this.ids = ids;
    this.vectors = vectors;
  }

  private sortRows(): void {
    const d = this.dimension;
    const order = Array.from({ length: this.rows }, (_, r) => r).sort((a, b) => this.ids[a]! - this.ids[b]!);
    const ids = new Int32Array(this.ids.length);
    const vectors = new Float32Array(this.vectors.length);
    order.forEach((r, w) => {
      ids[w] = this.ids[r]!;
      vectors.set(this.vectors.subarray(r * d, (r + 1) * d), w * d);
    });
    this.ids = ids;
    this.vectors = vectors;
  }
}

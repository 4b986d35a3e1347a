/**
 * Retrieval benchmark: N passages × D dims of seeded uniform random vectors (default 100k × 768),
 * the same queries through three indexes, side by side in one page:
 *   exact CPU  ExactIndex without a device (ipScoresRef + topKRef, the JS fallback);
 *   exact GPU  ExactIndex on WebGPU (ipScores shader + core's topK, k ids/scores read back);
 *   HNSW       HnswIndex (hnswlib-wasm, single-threaded WASM), at several efSearch values.
 * Data: `uniform` (default) = i.i.d. uniform [-1, 1) coordinates; `lowrank` = x = A·z + 0.1·ε
 * with z ~ N(0, I₃₂), A a fixed random 768 × 32 map and ε ~ N(0, I): vectors near a 32-d subspace,
 * closer to what encoders produce. Queries come from the same distribution as the passages.
 * Build time = filling the index (GPU: plus the corpus upload and first pipeline compile).
 * Queries run one at a time, as a RAG app asks them (GPU also as one batch). Recall@k is
 * measured against exact CPU. Random vectors have no low-dimensional structure: the worst case
 * for HNSW (see RESULTS.md).
 */
import { acquireGpuDevice, type GpuAdapterSummary } from '../../packages/core/src/gpu/device.js';
import { ExactIndex } from '../../packages/retriever/src/exact-index.js';
import { HNSW_DEFAULTS, HnswIndex } from '../../packages/retriever/src/hnsw-index.js';
import type { SearchResult, VectorIndex } from '../../packages/retriever/src/vector-index.js';
import { randomFloats, seededRandom } from '../../test/seeded-random.js';

export interface BenchRow {
  name: string;
  buildMs: number;
  msPerQuery: number;
  qps: number;
  recall: number;
}

export type BenchData = 'uniform' | 'lowrank';

export interface RetrieverBenchResult {
  adapter: GpuAdapterSummary;
  data: BenchData;
  n: number;
  dim: number;
  queries: number;
  k: number;
  hnswParams: { m: number; efConstruction: number };
  rows: BenchRow[];
}

export interface BenchOptions {
  data: BenchData;
  n: number;
  dim: number;
  queries: number;
  k: number;
  efSearch: number[];
  progress: (line: string) => void;
}

export async function benchRetriever(o: BenchOptions): Promise<RetrieverBenchResult> {
  const { n, dim, queries: nq, k } = o;
  const { device, adapter } = await acquireGpuDevice({ powerPreference: 'high-performance' });
  const rand = seededRandom(100_000);
  const make = o.data === 'lowrank' ? lowRank(rand, dim, 32) : (count: number) => randomFloats(rand, count * dim);
  const vectors = make(n);
  const queries = make(nq);
  const ids = Array.from({ length: n }, (_, i) => i);
  const rows: BenchRow[] = [];

  const timeQueries = async (index: VectorIndex): Promise<{ msPerQuery: number; result: SearchResult }> => {
    const out = { ids: new Int32Array(nq * k), scores: new Float32Array(nq * k) };
    const t = performance.now();
    for (let q = 0; q < nq; q++) {
      const r = await index.search(queries.subarray(q * dim, (q + 1) * dim), k);
      out.ids.set(r.ids, q * k);
      out.scores.set(r.scores, q * k);
    }
    return { msPerQuery: (performance.now() - t) / nq, result: out };
  };
  const row = (name: string, buildMs: number, msPerQuery: number, recall: number) => {
    rows.push({ name, buildMs, msPerQuery, qps: 1000 / msPerQuery, recall });
    o.progress(`${name}: build ${(buildMs / 1000).toFixed(1)} s, ${msPerQuery.toFixed(2)} ms/query, recall@${k} ${recall.toFixed(4)}`);
  };

  o.progress(`exact CPU: ${n} × ${dim}`);
  let t = performance.now();
  const cpu = new ExactIndex(dim);
  cpu.add(ids, vectors);
  const cpuBuild = performance.now() - t;
  const cpuRun = await timeQueries(cpu);
  const truth = cpuRun.result;
  row('exact CPU (JS)', cpuBuild, cpuRun.msPerQuery, 1);
  cpu.dispose();

  o.progress('exact GPU');
  t = performance.now();
  const gpu = new ExactIndex(dim, device);
  gpu.add(ids, vectors);
  await gpu.search(queries.subarray(0, dim), k); // upload + pipeline compile
  const gpuBuild = performance.now() - t;
  const gpuRun = await timeQueries(gpu);
  row('exact GPU (WebGPU)', gpuBuild, gpuRun.msPerQuery, recall(gpuRun.result, truth, nq, k));
  t = performance.now();
  const batched = await gpu.search(queries, k);
  row(`exact GPU, ${nq} queries in one batch`, gpuBuild, (performance.now() - t) / nq, recall(batched, truth, nq, k));
  gpu.dispose();

  o.progress(`HNSW build: M=${HNSW_DEFAULTS.m}, efConstruction=${HNSW_DEFAULTS.efConstruction}`);
  t = performance.now();
  const hnsw = await HnswIndex.create(dim, {}, n);
  for (let i = 0; i < n; i += 10_000) {
    const m = Math.min(10_000, n - i);
    hnsw.add(ids.slice(i, i + m), vectors.subarray(i * dim, (i + m) * dim));
    o.progress(`  HNSW: ${i + m} / ${n} added, ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
  const hnswBuild = performance.now() - t;
  for (const ef of o.efSearch) {
    hnsw.efSearch = ef;
    const run = await timeQueries(hnsw);
    row(`HNSW efSearch=${ef}${ef === HNSW_DEFAULTS.efSearch ? ' (default)' : ''}`, hnswBuild, run.msPerQuery, recall(run.result, truth, nq, k));
  }
  hnsw.dispose();
  return { adapter, data: o.data, n, dim, queries: nq, k, hnswParams: { m: HNSW_DEFAULTS.m, efConstruction: HNSW_DEFAULTS.efConstruction }, rows };
}

function recall(approx: SearchResult, truth: SearchResult, nq: number, k: number): number {
  let hits = 0;
  for (let q = 0; q < nq; q++) {
    const want = new Set(truth.ids.subarray(q * k, (q + 1) * k));
    for (const id of approx.ids.subarray(q * k, (q + 1) * k)) if (want.has(id)) hits++;
  }
  return hits / (nq * k);
}

/** Generator of vectors A·z + 0.1·ε near a random `latent`-dimensional subspace (Gaussian via Box–Muller). */
function lowRank(rand: () => number, dim: number, latent: number): (count: number) => Float32Array {
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const a = Float32Array.from({ length: dim * latent }, () => gauss() / Math.sqrt(latent));
  return (count) => {
    const out = new Float32Array(count * dim);
    const z = new Float32Array(latent);
    for (let i = 0; i < count; i++) {
      for (let l = 0; l < latent; l++) z[l] = gauss();
      for (let h = 0; h < dim; h++) {
        let s = 0;
        for (let l = 0; l < latent; l++) s += a[h * latent + l]! * z[l]!;
        out[i * dim + h] = s + 0.1 * gauss();
      }
    }
    return out;
  };
}

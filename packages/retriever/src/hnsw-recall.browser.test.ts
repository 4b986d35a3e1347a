import { acquireGpuDevice } from '@rag-web/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomFloats, seededRandom } from '../../../test/seeded-random.js';
import { ExactIndex } from './exact-index.js';
import { HNSW_DEFAULTS, HnswIndex } from './hnsw-index.js';
import { readNpy } from './npy.js';
import type { SearchResult } from './vector-index.js';

// Recall@10 of HnswIndex with its default parameters against ExactIndex (WebGPU) in Chromium.
let device: GPUDevice;
beforeAll(async () => {
  ({ device } = await acquireGpuDevice());
});

function recallAt(k: number, approx: SearchResult, exact: SearchResult, queries: number): number {
  let hits = 0;
  for (let q = 0; q < queries; q++) {
    const truth = new Set(exact.ids.subarray(q * k, (q + 1) * k));
    for (const id of approx.ids.subarray(q * k, (q + 1) * k)) if (truth.has(id)) hits++;
  }
  return hits / (queries * k);
}

async function measure(vectors: Float32Array, d: number, queries: Float32Array): Promise<{ recall: number; times: Record<string, number> }> {
  const n = vectors.length / d;
  const ids = Array.from({ length: n }, (_, i) => i);
  const t0 = performance.now();
  const hnsw = await HnswIndex.create(d, {}, n);
  hnsw.add(ids, vectors);
  const t1 = performance.now();
  const approx = await hnsw.search(queries, 10);
  const t2 = performance.now();
  const exact = new ExactIndex(d, device);
  exact.add(ids, vectors);
  const truth = await exact.search(queries, 10);
  const t3 = performance.now();
  hnsw.dispose();
  exact.dispose();
  const nq = queries.length / d;
  return { recall: recallAt(10, approx, truth, nq), times: { buildMs: t1 - t0, hnswMsPerQuery: (t2 - t1) / nq, exactGpuMs: t3 - t2 } };
}

describe(`HnswIndex recall@10 with the defaults (M=${HNSW_DEFAULTS.m}, efConstruction=${HNSW_DEFAULTS.efConstruction}, efSearch=${HNSW_DEFAULTS.efSearch})`, () => {
  it('≥ 0.99 on 20k seeded uniform random 768-d vectors', { timeout: 400_000 }, async () => {
    const d = 768;
    const rand = seededRandom(20_000);
    const vectors = randomFloats(rand, 20_000 * d);
    const queries = randomFloats(rand, 50 * d);
    const { recall, times } = await measure(vectors, d, queries);
    console.warn(`20k×768 random: recall@10 ${recall.toFixed(4)}`, JSON.stringify(times));
    expect(recall).toBeGreaterThanOrEqual(0.99);
  });

  it('≥ 0.99 on the fixture corpora (passage embeddings; questions and passages as queries)', async () => {
    for (const name of ['hf-o1', 'hf-o2']) {
      const npy = readNpy(new Uint8Array(await (await fetch(`/fixtures/${name}/passage_embeddings.npy`)).arrayBuffer()));
      const rand = seededRandom(5);
      // Queries: 40 passages' own embeddings and 40 random directions.
      const picks = Array.from({ length: 40 }, (_, i) => (i * 97) % npy.rows);
      const queries = new Float32Array([...picks.flatMap((r) => Array.from(npy.data.subarray(r * npy.cols, (r + 1) * npy.cols))), ...randomFloats(rand, 40 * npy.cols)]);
      const { recall } = await measure(npy.data, npy.cols, queries);
      expect(recall, name).toBeGreaterThanOrEqual(0.99);
    }
  });
});

/**
 * The vectors every index of the retrieval bench gets: the same corpus and the same queries.
 *
 *   uniform      i.i.d. uniform [-1, 1) coordinates (no structure: the worst case for a graph index);
 *   lowrank      x = A·z + 0.1·ε, z ~ N(0, I₃₂), A a fixed random dim × 32 map, ε ~ N(0, I): vectors
 *                near a 32-d subspace, closer to what encoders produce;
 *   world-facts  the 2,868 real passage embeddings of the default model (128-d DPR context encoder,
 *                fixtures/world-facts/passage_embeddings.npy): `queries` of them, picked with a
 *                seeded shuffle, are held out as queries, the rest is the corpus. Real vectors for
 *                the 135,601 passages of fixtures/world-facts/large/ need the trained encoder run
 *                over them; no such embeddings exist, and a cheap proxy would not be real text.
 *
 * With `normalize` every corpus vector and query is scaled to unit length before any index sees
 * it: inner product, cosine and (squared) L2 then rank identically, so the peers that only have
 * cosine or L2 (voy-search: L2 k-d tree) search the same problem as the inner-product ones.
 */
import { readNpy } from '../../packages/retriever/src/npy.js';
import { randomFloats, seededRandom } from '../../test/seeded-random.js';

export type BenchData = 'uniform' | 'lowrank' | 'world-facts';

export interface BenchVectors {
  data: BenchData;
  n: number;
  dim: number;
  nq: number;
  vectors: Float32Array;
  queries: Float32Array;
  normalized: boolean;
  description: string;
}

export const WORLD_FACTS_NPY = 'fixtures/world-facts/passage_embeddings.npy';

export async function makeVectors(o: { data: BenchData; n: number; dim: number; queries: number; normalize: boolean }): Promise<BenchVectors> {
  const rand = seededRandom(100_000);
  let vectors: Float32Array;
  let queries: Float32Array;
  let n = o.n;
  let dim = o.dim;
  let description: string;
  if (o.data === 'world-facts') {
    const res = await fetch(`/${WORLD_FACTS_NPY}`);
    if (!res.ok) throw new Error(`${WORLD_FACTS_NPY}: HTTP ${res.status}`);
    const npy = readNpy(new Uint8Array(await res.arrayBuffer()), WORLD_FACTS_NPY);
    dim = npy.cols;
    const order = Array.from({ length: npy.rows }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const held = order.slice(0, o.queries);
    const corpus = order.slice(o.queries).sort((a, b) => a - b);
    n = Math.min(n, corpus.length);
    vectors = gather(npy.data, dim, corpus.slice(0, n));
    queries = gather(npy.data, dim, held);
    description = `${npy.rows.toLocaleString('en-US')} real passage embeddings of the default model (${WORLD_FACTS_NPY}, ${dim}-d): ${o.queries} held out as queries, ${n.toLocaleString('en-US')} as the corpus`;
  } else {
    const make = o.data === 'lowrank' ? lowRank(rand, dim, 32) : (count: number) => randomFloats(rand, count * dim);
    vectors = make(n);
    queries = make(o.queries);
    description = `${n.toLocaleString('en-US')} × ${dim} seeded ${o.data === 'lowrank' ? 'low-rank vectors (32-d subspace + 0.1·noise)' : 'uniform random vectors'}`;
  }
  if (o.normalize) {
    normalizeRows(vectors, dim);
    normalizeRows(queries, dim);
    description += ', every vector scaled to unit length';
  }
  return { data: o.data, n, dim, nq: o.queries, vectors, queries, normalized: o.normalize, description };
}

function gather(data: Float32Array, dim: number, rows: number[]): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => out.set(data.subarray(r * dim, (r + 1) * dim), i * dim));
  return out;
}

function normalizeRows(m: Float32Array, dim: number): void {
  for (let o = 0; o < m.length; o += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += m[o + j]! * m[o + j]!;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < dim; j++) m[o + j]! *= inv;
  }
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

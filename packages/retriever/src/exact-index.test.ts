import { describe, expect, it } from 'vitest';
import { randomFloats, seededRandom } from '../../../test/seeded-random.js';
import { NotEnoughPassagesError } from './errors.js';
import { ExactIndex } from './exact-index.js';

/** Sort-based oracle: inner products in f64, ties by lower id. */
function oracle(queries: Float32Array, ids: number[], vectors: Float32Array, d: number, k: number): number[][] {
  const nq = queries.length / d;
  return Array.from({ length: nq }, (_, q) => {
    const s = ids.map((id, r) => ({ id, s: Array.from({ length: d }, (_, h) => queries[q * d + h]! * vectors[r * d + h]!).reduce((a, b) => a + b, 0) }));
    return s.sort((a, b) => b.s - a.s || a.id - b.id).slice(0, k).map((x) => x.id);
  });
}

describe('ExactIndex on the CPU', () => {
  it('returns the exact top-k by inner product, lower id first on ties, after adds in any order and removes', async () => {
    const d = 6;
    const rand = seededRandom(3);
    const ids = Array.from({ length: 50 }, (_, i) => (i * 37) % 50);
    const vectors = randomFloats(rand, 50 * d);
    // Two rows identical to row 0: exact ties.
    const index = new ExactIndex(d);
    index.add(ids.slice(0, 30), vectors.subarray(0, 30 * d));
    index.add(ids.slice(30), vectors.subarray(30 * d));
    index.add([70, 60], new Float32Array([...vectors.subarray(0, d), ...vectors.subarray(0, d)]));
    index.remove([ids[5]!, 60]);
    const keptIds = [...ids, 70].filter((id) => id !== ids[5]);
    const keptVectors = new Float32Array([...vectors, ...vectors.subarray(0, d)]).filter((_, i) => Math.floor(i / d) !== 5);
    const queries = new Float32Array([...vectors.subarray(0, d), ...randomFloats(rand, 3 * d)]);
    const res = await index.search(queries, 7);
    const want = oracle(queries, keptIds, keptVectors, d, 7);
    expect(Array.from({ length: 4 }, (_, q) => Array.from(res.ids.subarray(q * 7, (q + 1) * 7)))).toEqual(want);
    expect(res.ids[0]).toBe(ids[0]);
    expect(res.ids[1]).toBe(70); // tie with ids[0] (= 0): lower id first
    expect(index.size).toBe(50);
    await expect(index.search(queries, 51)).rejects.toThrow(NotEnoughPassagesError);
    expect(() => index.add([70], new Float32Array(d))).toThrow(/already indexed/);
  });
});

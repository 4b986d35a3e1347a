import { describe, expect, it } from 'vitest';
import { randomFloats, seededRandom } from '../../../test/seeded-random.js';
import { NotEnoughPassagesError } from './errors.js';
import { HnswIndex } from './hnsw-index.js';

// hnswlib-wasm in Node goes through hnsw-wasm.ts's loader (window alias + fake-indexeddb for IDBFS).
describe('HnswIndex in Node', () => {
  it('finds exact top-k on a small set, scores = inner products, lower id first on ties', async () => {
    const index = await HnswIndex.create(4, { efSearch: 50 });
    index.add([10, 11, 12, 13], new Float32Array([1, 0, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, -1, -1, 0, 0]));
    const { ids, scores } = await index.search(new Float32Array([0.5, 1, 0, 0, 1, 0, 0, 0]), 3);
    expect([...ids]).toEqual([11, 12, 10, 10, 11, 12]);
    expect([...scores]).toEqual([2, 2, 0.5, 1, 0, 0]);
    index.dispose();
  });

  it('grows past its initial capacity, removes for good, and survives serialize → deserialize', async () => {
    const d = 8;
    const rand = seededRandom(7);
    const n = 40;
    const vectors = randomFloats(rand, n * d);
    const index = await HnswIndex.create(d, { efSearch: 64 }, 16);
    index.add(
      Array.from({ length: n }, (_, i) => i),
      vectors,
    );
    index.remove([3]);
    expect(index.size).toBe(n - 1);
    const bytes = await index.serialize();
    expect(bytes.byteLength).toBeGreaterThan(n * d * 4);
    const back = await HnswIndex.deserialize(bytes, d, { efSearch: 64 });
    expect(back.size).toBe(n - 1);
    const q = vectors.subarray(3 * d, 4 * d);
    const a = await index.search(q, 10);
    const b = await back.search(q, 10);
    expect([...b.ids]).toEqual([...a.ids]);
    expect([...b.ids]).not.toContain(3);
    await expect(back.search(q, n)).rejects.toThrow(NotEnoughPassagesError);
    index.dispose();
    back.dispose();
  });
});

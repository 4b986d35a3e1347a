import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../errors.js';
import { topKRef } from './top-k.ref.js';

const NEG = -Infinity;

function top(row: number[], k: number): { ids: number[]; values: number[] } {
  const { ids, values } = topKRef(new Float32Array(row), { rows: 1, cols: row.length, k });
  return { ids: [...ids], values: [...values] };
}

describe('topKRef', () => {
  it('sorts the k largest per row, descending', () => {
    const scores = new Float32Array([/* r0 */ 0.5, 3, -1, 2, /* r1 */ 4, -2, 7, 0]);
    const { ids, values } = topKRef(scores, { rows: 2, cols: 4, k: 2 });
    expect([...ids]).toEqual([1, 3, 2, 0]);
    expect([...values]).toEqual([3, 2, 7, 4]);
  });

  it('breaks ties by lower column, also when the tie straddles the k-th place', () => {
    expect(top([1, 5, 5, 2, 5], 2)).toEqual({ ids: [1, 2], values: [5, 5] });
    expect(top([2, 2, 9, 2, 2], 3)).toEqual({ ids: [2, 0, 1], values: [9, 2, 2] });
    expect(top([0, -0, 0], 3).ids).toEqual([0, 1, 2]);
  });

  it('returns -Infinity entries, lowest columns first, only when k exceeds the finite ones', () => {
    expect(top([NEG, 1, NEG, NEG, -5], 2)).toEqual({ ids: [1, 4], values: [1, -5] });
    expect(top([NEG, 1, NEG, NEG, -5], 4)).toEqual({ ids: [1, 4, 0, 2], values: [1, -5, NEG, NEG] });
    expect(top([NEG, NEG, NEG], 2)).toEqual({ ids: [0, 1], values: [NEG, NEG] });
    // -FLT_MAX is finite: it ranks above -Infinity.
    expect(top([NEG, -3.4028234663852886e38], 1).ids).toEqual([1]);
  });

  it('ranks NaN below -Infinity', () => {
    expect(top([NaN, NEG, 1, NaN], 2)).toEqual({ ids: [2, 1], values: [1, NEG] });
    const all = top([NaN, NEG, 1, NaN], 4);
    expect(all.ids).toEqual([2, 1, 0, 3]);
    expect(all.values.slice(0, 2)).toEqual([1, NEG]);
    expect(all.values.slice(2).every(Number.isNaN)).toBe(true);
  });

  it('with k = cols sorts the whole row', () => {
    const row = [0.25, -1, 8, NEG, 0.25, 3, 100, -100];
    expect(top(row, row.length).ids).toEqual([6, 2, 5, 0, 4, 1, 7, 3]);
  });

  it('agrees with a full sort on a row with many ties', () => {
    const row = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 13) - 6);
    const want = row.map((v, i) => ({ v, i })).sort((a, b) => b.v - a.v || a.i - b.i).slice(0, 40);
    expect(top(row, 40).ids).toEqual(want.map((e) => e.i));
  });

  it('rejects bad shapes with ShapeError', () => {
    expect(() => topKRef(new Float32Array(4), { rows: 1, cols: 4, k: 5 })).toThrow(/exceeds the 4 columns/);
    expect(() => topKRef(new Float32Array(4), { rows: 1, cols: 4, k: 0 })).toThrow(/k must be a positive integer/);
    expect(() => topKRef(new Float32Array(5), { rows: 1, cols: 4, k: 1 })).toThrow(ShapeError);
    expect(() => topKRef(new Float32Array(2000), { rows: 1, cols: 2000, k: 1025 })).toThrow(/supported maximum/);
  });
});

import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../errors.js';
import { docScoresRef, ipScoresRef } from './ip-scores.ref.js';

describe('ipScoresRef', () => {
  it('computes every query against every corpus row, query-major', () => {
    const queries = new Float32Array([1, 2, /* q1 */ -1, 0.5]);
    const corpus = new Float32Array([3, 4, /* n1 */ -1, 1, /* n2 */ 0, -4]);
    expect([...ipScoresRef(queries, corpus, { queries: 2, rows: 3, dim: 2 })]).toEqual([11, 1, -8, -1, 1.5, -2]);
  });

  it('rejects mismatched sizes and non-positive dims', () => {
    expect(() => ipScoresRef(new Float32Array(3), new Float32Array(4), { queries: 1, rows: 2, dim: 2 })).toThrow(ShapeError);
    expect(() => ipScoresRef(new Float32Array(0), new Float32Array(0), { queries: 0, rows: 1, dim: 1 })).toThrow(/queries must be a positive integer/);
  });
});

describe('docScoresRef (ipScores with per-question rows)', () => {
  it('computes per-question inner products with its own docs', () => {
    const question = new Float32Array([1, 2, /* b=1 */ -1, 0.5]);
    const docs = new Float32Array([
      /* b0 z0 */ 3, 4, /* b0 z1 */ -1, 1,
      /* b1 z0 */ 2, 2, /* b1 z1 */ 0, -4,
    ]);
    expect([...docScoresRef(question, docs, { batch: 2, nDocs: 2, hidden: 2 })]).toEqual([11, 1, -1, -2]);
  });

  it('rejects a docs array that is not batch × nDocs × hidden', () => {
    expect(() => docScoresRef(new Float32Array(2), new Float32Array(4), { batch: 1, nDocs: 4, hidden: 2 })).toThrow(ShapeError);
  });
});

import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../errors.js';
import { docScoresRef } from './doc-scores.ref.js';

describe('docScoresRef', () => {
  it('computes per-question inner products with its own docs', () => {
    const question = new Float32Array([1, 2, /* b=1 */ -1, 0.5]);
    const docs = new Float32Array([
      /* b0 z0 */ 3, 4, /* b0 z1 */ -1, 1,
      /* b1 z0 */ 2, 2, /* b1 z1 */ 0, -4,
    ]);
    expect([...docScoresRef(question, docs, { batch: 2, nDocs: 2, hidden: 2 })]).toEqual([11, 1, -1, -2]);
  });

  it('rejects mismatched sizes and non-positive dims with ShapeError', () => {
    expect(() => docScoresRef(new Float32Array(3), new Float32Array(4), { batch: 1, nDocs: 2, hidden: 2 })).toThrow(ShapeError);
    expect(() => docScoresRef(new Float32Array(0), new Float32Array(0), { batch: 0, nDocs: 1, hidden: 1 })).toThrow(/batch must be a positive integer/);
  });
});

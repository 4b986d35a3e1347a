import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../errors.js';
import { gatherRowsRef } from './gather-rows.ref.js';

describe('gatherRowsRef', () => {
  it('reorders, repeats and drops rows along the leading axis', () => {
    const src = new Float32Array([/* r0 */ 0, 1, 2, /* r1 */ 10, 11, 12, /* r2 */ 20, 21, 22]);
    const out = gatherRowsRef(src, new Uint32Array([2, 0, 0, 2]), { rows: 3, rowSize: 3 });
    expect(out).toBeInstanceOf(Float32Array);
    expect([...out]).toEqual([20, 21, 22, 0, 1, 2, 0, 1, 2, 20, 21, 22]);
  });

  it('moves f16 rows as raw halves', () => {
    const src = new Uint16Array([0x3c00, 0x7e01, /* r1 */ 0xfc00, 0x8000]);
    const out = gatherRowsRef(src, new Uint32Array([1, 1, 0]), { rows: 2, rowSize: 2, dtype: 'f16' });
    expect([...out]).toEqual([0xfc00, 0x8000, 0xfc00, 0x8000, 0x3c00, 0x7e01]);
  });

  it('rejects out-of-range indices, odd f16 rows and mismatched sizes with ShapeError', () => {
    const src = new Float32Array(6);
    expect(() => gatherRowsRef(src, new Uint32Array([0, 3]), { rows: 3, rowSize: 2 })).toThrow(/indices\[1\] = 3 is out of range/);
    expect(() => gatherRowsRef(new Uint16Array(6), new Uint32Array([0]), { rows: 2, rowSize: 3, dtype: 'f16' })).toThrow(/even rowSize/);
    expect(() => gatherRowsRef(src, new Uint32Array([0]), { rows: 2, rowSize: 2 })).toThrow(ShapeError);
    expect(() => gatherRowsRef(src, new Uint32Array([]), { rows: 3, rowSize: 2 })).toThrow(/indices is empty/);
    expect(() => gatherRowsRef(src, new Uint32Array([0]), { rows: 3, rowSize: 2, dtype: 'f16' })).toThrow(/2-byte elements/);
  });
});

import { describe, expect, it } from 'vitest';
import { expectClose } from '../../../../../test/expect-close.js';
import { ShapeError } from '../../errors.js';
import { logSoftmaxRef } from './log-softmax.ref.js';

const exact = { abs: 1e-6, rel: 1e-6 };

describe('logSoftmaxRef', () => {
  it('normalises each row on its own', () => {
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    const got = logSoftmaxRef(new Float32Array([1, 2, 3, /* row 1 */ 0, 0, 0]), { rows: 2, vocab: 3 });
    expectClose(got, [1 - lse, 2 - lse, 3 - lse, -Math.log(3), -Math.log(3), -Math.log(3)], exact);
  });

  it('is stable at ±100 and shift-invariant', () => {
    const got = logSoftmaxRef(new Float32Array([100, -100, 1100, 900]), { rows: 2, vocab: 2 });
    // exp(−200) is far below f32 resolution of 1: the winner gets log 1 = 0.
    expect([...got]).toEqual([0, -200, 0, -200]);
  });

  it('follows torch for −inf: −inf entries stay −inf, an all −inf row is NaN', () => {
    const got = logSoftmaxRef(new Float32Array([-Infinity, 0, 0, -Infinity, -Infinity, -Infinity]), { rows: 2, vocab: 3 });
    expect(got[0]).toBe(-Infinity);
    expectClose(got.subarray(1, 3), [-Math.log(2), -Math.log(2)], exact);
    expect([...got.subarray(3)].every(Number.isNaN)).toBe(true);
  });

  it('rejects a wrong input length and non-positive dims with ShapeError', () => {
    expect(() => logSoftmaxRef(new Float32Array(5), { rows: 2, vocab: 3 })).toThrow(ShapeError);
    expect(() => logSoftmaxRef(new Float32Array(0), { rows: 0, vocab: 3 })).toThrow(/rows must be a positive integer/);
  });
});

import { expect } from 'vitest';

export interface Tolerance {
  abs: number;
  rel: number;
}

/**
 * Element-wise |a − e| ≤ abs + rel·|e|, with ±Infinity and NaN required to match exactly.
 * Reports the first few offending indices instead of one opaque boolean.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what = 'values'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const bad: string[] = [];
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (!Object.is(a, e) && !(Number.isNaN(a) && Number.isNaN(e))) bad.push(`[${i}] ${a} vs ${e}`);
      continue;
    }
    const diff = Math.abs(a - e);
    worst = Math.max(worst, diff);
    if (diff > tol.abs + tol.rel * Math.abs(e)) bad.push(`[${i}] ${a} vs ${e} (|Δ|=${diff.toExponential(2)})`);
  }
  expect(bad.slice(0, 8), `${what}: ${bad.length} of ${expected.length} outside abs ${tol.abs} + rel ${tol.rel}; max |Δ| ${worst.toExponential(2)}`).toEqual([]);
}

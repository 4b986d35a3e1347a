import { ShapeError } from '@rag-web/core';

/** queries (queries × dim) and corpus (rows × dim) f32 → scores (queries × rows). */
export interface IpScoresShape {
  queries: number;
  rows: number;
  dim: number;
}

export function validateIpScores(shape: IpScoresShape, queriesLength: number, corpusLength: number, kind: 'array' | 'buffer'): void {
  for (const [k, v] of Object.entries(shape)) {
    if (!Number.isInteger(v) || v <= 0) throw new ShapeError(`ipScores: ${k} must be a positive integer, got ${v}`, { shape });
  }
  const check = (what: string, actual: number, expected: number) => {
    const ok = kind === 'array' ? actual === expected : actual >= expected;
    if (!ok) throw new ShapeError(`ipScores: ${what} has ${actual} elements, expected ${kind === 'array' ? '' : 'at least '}${expected}`, { what, actual, expected });
  };
  check('queries (queries·dim)', queriesLength, shape.queries * shape.dim);
  check('corpus (rows·dim)', corpusLength, shape.rows * shape.dim);
}

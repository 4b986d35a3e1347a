import { requireElements, requirePositiveDims } from '../shape-checks.js';

/** A (rows × vocab) f32 matrix, normalised along vocab (the last axis). */
export interface LogSoftmaxShape {
  rows: number;
  vocab: number;
}

export function validateLogSoftmax(shape: LogSoftmaxShape, inputLength: number, kind: 'array' | 'buffer'): void {
  requirePositiveDims('logSoftmax', { ...shape });
  requireElements('logSoftmax', 'input (rows·vocab)', inputLength, shape.rows * shape.vocab, kind);
}

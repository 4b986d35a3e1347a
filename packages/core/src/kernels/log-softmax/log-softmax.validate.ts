import type { LogitsDtype } from '../wgsl/index.js';
import { requireElements, requirePositiveDims } from '../shape-checks.js';

/** A (rows × vocab) f32 matrix, normalised along vocab (the last axis). */
export interface LogSoftmaxShape {
  rows: number;
  vocab: number;
  /** Element type of the input on the GPU path (default f32); the output is always f32. */
  dtype?: LogitsDtype;
}

export function validateLogSoftmax(shape: LogSoftmaxShape, inputLength: number, kind: 'array' | 'buffer'): void {
  requirePositiveDims('logSoftmax', { rows: shape.rows, vocab: shape.vocab });
  requireElements('logSoftmax', 'input (rows·vocab)', inputLength, shape.rows * shape.vocab, kind);
}

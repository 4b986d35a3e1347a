import { ShapeError } from '../../errors.js';
import { requireElements, requirePositiveDims } from '../shape-checks.js';

/** scores (rows × cols) f32; k entries selected per row. */
export interface TopKShape {
  rows: number;
  cols: number;
  k: number;
}

/**
 * Largest k accepted. Selection takes k serial rounds per workgroup: fine for beam search's
 * k = 2·num_beams (≤ 64); past ~1k entries a sort is the better tool.
 */
export const TOP_K_MAX_K = 1024;

export function validateTopK(shape: TopKShape, scoresLength: number, kind: 'array' | 'buffer'): void {
  requirePositiveDims('topK', { ...shape });
  const { rows, cols, k } = shape;
  if (k > cols) throw new ShapeError(`topK: k = ${k} exceeds the ${cols} columns of a row`, { k, cols });
  if (k > TOP_K_MAX_K) throw new ShapeError(`topK: k = ${k} exceeds the supported maximum ${TOP_K_MAX_K}`, { k, max: TOP_K_MAX_K });
  requireElements('topK', 'scores (rows·cols)', scoresLength, rows * cols, kind);
}

import { ShapeError } from '../../errors.js';
import { requireElements, requirePositiveDims } from '../shape-checks.js';

/** src (rows × rowSize) elements of `dtype` (default f32). */
export interface GatherRowsShape {
  rows: number;
  rowSize: number;
  /** Element type; only changes the word count: 'f16' needs an even rowSize (whole 32-bit words). */
  dtype?: 'f32' | 'f16';
}

export function bytesPerElement(shape: GatherRowsShape): 2 | 4 {
  return shape.dtype === 'f16' ? 2 : 4;
}

/** 32-bit words per row, the unit the shader copies. */
export function wordsPerRow(shape: GatherRowsShape): number {
  return (shape.rowSize * bytesPerElement(shape)) / 4;
}

/** `srcLength` counts elements of `dtype` (for a GPU buffer: its size over bytesPerElement). */
export function validateGatherRows(shape: GatherRowsShape, srcLength: number, indices: Uint32Array, kind: 'array' | 'buffer'): void {
  const { rows, rowSize, dtype = 'f32' } = shape;
  requirePositiveDims('gatherRows', { rows, rowSize });
  if (dtype !== 'f32' && dtype !== 'f16') throw new ShapeError(`gatherRows: dtype must be 'f32' or 'f16', got ${String(dtype)}`, { dtype });
  if (dtype === 'f16' && rowSize % 2 !== 0) {
    throw new ShapeError(`gatherRows: an f16 row must fill whole 32-bit words (even rowSize), got rowSize ${rowSize}`, { rowSize });
  }
  if (indices.length === 0) throw new ShapeError('gatherRows: indices is empty', {});
  // Every word index the shader forms must fit in a u32.
  const words = wordsPerRow(shape);
  if (Math.max(rows, indices.length) * words > 0xffffffff) {
    throw new ShapeError(`gatherRows: ${Math.max(rows, indices.length)} rows of ${words} words exceed 2^32 words`, { rows, words });
  }
  requireElements('gatherRows', 'src (rows·rowSize)', srcLength, rows * rowSize, kind);
  const bad = indices.findIndex((r) => r >= rows);
  if (bad >= 0) {
    throw new ShapeError(`gatherRows: indices[${bad}] = ${indices[bad]} is out of range [0, ${rows})`, { index: bad, value: indices[bad], rows });
  }
}

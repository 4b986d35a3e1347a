import { ShapeError } from '../../errors.js';
import { validateGatherRows, type GatherRowsShape } from './gather-rows.validate.js';

/** f32 rows as Float32Array (or their bits as Uint32Array); f16 rows as their raw Uint16Array halves. */
export type GatherRowsArray = Float32Array | Uint32Array | Uint16Array;

/**
 * Plain TypeScript reference of gatherRows (also the CPU/WASM path):
 * out[i, :] = src[indices[i], :], a new array of src's type.
 */
export function gatherRowsRef<T extends GatherRowsArray>(src: T, indices: Uint32Array, shape: GatherRowsShape): T {
  const expected = shape.dtype === 'f16' ? 2 : 4;
  if (src.BYTES_PER_ELEMENT !== expected) {
    throw new ShapeError(`gatherRows: dtype ${shape.dtype ?? 'f32'} needs ${expected}-byte elements, got a ${src.constructor.name}`, { dtype: shape.dtype ?? 'f32' });
  }
  validateGatherRows(shape, src.length, indices, 'array');
  const { rowSize } = shape;
  const out = new (src.constructor as new (n: number) => T)(indices.length * rowSize);
  indices.forEach((r, i) => out.set(src.subarray(r * rowSize, (r + 1) * rowSize) as never, i * rowSize));
  return out;
}

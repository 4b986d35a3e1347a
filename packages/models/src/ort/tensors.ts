import type { Tensor } from 'onnxruntime-web';
import type { Ort } from './runtime.js';

/** (rows × width) int64 tensor from id rows, as the exported graphs take ids and masks. */
export function int64Matrix(ort: Ort, rows: number[][]): Tensor {
  const width = rows[0]?.length ?? 0;
  const data = new BigInt64Array(rows.length * width);
  rows.forEach((row, r) => {
    if (row.length !== width) throw new RangeError(`row ${r} has ${row.length} ids, expected ${width}`);
    row.forEach((id, c) => (data[r * width + c] = BigInt(id)));
  });
  return new ort.Tensor('int64', data, [rows.length, width]);
}

/** Float32 contents of a tensor wherever it lives (downloads a GPU tensor: use sparingly). */
export async function tensorFloat32(tensor: Tensor): Promise<Float32Array> {
  const data = tensor.location === 'cpu' ? tensor.data : await tensor.getData();
  if (!(data instanceof Float32Array)) throw new TypeError(`expected a float32 tensor, got ${tensor.type}`);
  return data;
}

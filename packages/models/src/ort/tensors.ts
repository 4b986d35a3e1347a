import { float16ToFloat32Array, type LogitsDtype } from '@rag-web/core';
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

/**
 * Float32 contents of a float32 or float16 tensor wherever it lives (downloads a GPU tensor: use
 * sparingly). float16 comes from ORT as raw half words and is widened here.
 */
export async function tensorFloat32(tensor: Tensor): Promise<Float32Array> {
  const data = tensor.location === 'cpu' ? tensor.data : await tensor.getData();
  if (data instanceof Float32Array) return data;
  if (tensor.type === 'float16' && data instanceof Uint16Array) return float16ToFloat32Array(data);
  if (tensor.type === 'float16' && ArrayBuffer.isView(data)) return Float32Array.from(data as unknown as ArrayLike<number>);
  throw new TypeError(`expected a float32 or float16 tensor, got ${tensor.type}`);
}

/** The element type our kernels read a logits tensor as. */
export function logitsDtype(tensor: Tensor): LogitsDtype {
  if (tensor.type === 'float32') return 'f32';
  if (tensor.type === 'float16') return 'f16';
  throw new TypeError(`logits must be float32 or float16, got ${tensor.type}`);
}

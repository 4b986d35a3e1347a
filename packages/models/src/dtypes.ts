/** Weight formats of the exported ONNX files, as transformers.js names them. */
export const DTYPES = Object.freeze(['fp32', 'fp16', 'q8', 'q4'] as const);
export type Dtype = (typeof DTYPES)[number];

/** File-name suffix of each dtype: `onnx/<name><suffix>.onnx` (layouts.json `dtypeSuffix`). */
export { DTYPE_SUFFIX } from './layout/model-layout.js';

export function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && (DTYPES as readonly string[]).includes(value);
}

/**
 * One dtype for every file, or a record by graph name (a file's base name in layouts.json; others fp32).
 * Throws a TypeError that lists the valid values.
 */
export function resolveDtype(dtype: Dtype | Partial<Record<string, Dtype>> | undefined, fileName: string): Dtype {
  const value = dtype === undefined ? 'fp32' : typeof dtype === 'string' ? dtype : (dtype[fileName] ?? 'fp32');
  if (!isDtype(value)) {
    throw new TypeError(`Unknown dtype ${JSON.stringify(value)} for ${fileName}; expected one of ${DTYPES.join(', ')}`);
  }
  return value;
}

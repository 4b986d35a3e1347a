/** Weight formats of the exported ONNX files, as transformers.js names them. */
export const DTYPES = Object.freeze(['fp32', 'fp16', 'q8', 'q4'] as const);
export type Dtype = (typeof DTYPES)[number];

/** File-name suffix of each dtype: `onnx/<name><suffix>.onnx` (tools/export_rag.py writes these). */
export const DTYPE_SUFFIX: Readonly<Record<Dtype, string>> = Object.freeze({
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  q4: '_q4',
});

export function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && (DTYPES as readonly string[]).includes(value);
}

/**
 * One dtype for every file, or a per-file record (`{ decoder_model: 'q8' }`, others fp32).
 * Throws a TypeError that lists the valid values.
 */
export function resolveDtype(dtype: Dtype | Partial<Record<string, Dtype>> | undefined, fileName: string): Dtype {
  const value = dtype === undefined ? 'fp32' : typeof dtype === 'string' ? dtype : (dtype[fileName] ?? 'fp32');
  if (!isDtype(value)) {
    throw new TypeError(`Unknown dtype ${JSON.stringify(value)} for ${fileName}; expected one of ${DTYPES.join(', ')}`);
  }
  return value;
}

export function onnxFileName(name: string, dtype: Dtype): string {
  return `onnx/${name}${DTYPE_SUFFIX[dtype]}.onnx`;
}

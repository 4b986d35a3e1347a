// Shared WGSL snippets (WGSL has no includes: getPipeline prepends them to a kernel's source).
import floatBits from './float-bits.wgsl?raw';
import logitsF16 from './logits-f16.wgsl?raw';
import logitsF32 from './logits-f32.wgsl?raw';
import ragTokenMarginal from './rag-token-marginal.wgsl?raw';
import rowMax from './row-max.wgsl?raw';

export const wgslSnippets = { floatBits, ragTokenMarginal, rowMax } as const;

/**
 * Element type of the decoder logits a kernel reads: f32, or f16 as an fp16 model returns them
 * (widened to f32 on load; no `shader-f16` needed). Everything computed stays f32.
 */
export type LogitsDtype = 'f32' | 'f16';

/** The `x`/`loadX` binding of the logits kernels for that dtype. */
export function logitsSnippet(dtype: LogitsDtype = 'f32'): string {
  return dtype === 'f16' ? logitsF16 : logitsF32;
}

/** Logits held by a GPU buffer of `byteSize` bytes. */
export function logitsInBuffer(byteSize: number, dtype: LogitsDtype = 'f32'): number {
  return byteSize / (dtype === 'f16' ? 2 : 4);
}

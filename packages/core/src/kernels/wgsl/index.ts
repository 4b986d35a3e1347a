// Shared WGSL snippets (WGSL has no includes: the kernel runner prepends them to a kernel's
// source and checks that what each one requires is declared).
import type { WgslSnippet } from '../../gpu/program.js';
import floatBits from './float-bits.wgsl?raw';
import logitsF16 from './logits-f16.wgsl?raw';
import logitsF32 from './logits-f32.wgsl?raw';
import ragTokenMarginal from './rag-token-marginal.wgsl?raw';
import rowMax from './row-max.wgsl?raw';

export const wgslSnippets = {
  floatBits: { name: 'floatBits', code: floatBits, requires: [] },
  ragTokenMarginal: { name: 'ragTokenMarginal', code: ragTokenMarginal, requires: ['params', 'stats', 'loadX', 'isNan', 'isNegInf', 'nanBits'] },
  rowMax: { name: 'rowMax', code: rowMax, requires: ['WG', 'loadX', 'scratch'] },
} as const satisfies Record<string, WgslSnippet>;

/**
 * Element type of the decoder logits a kernel reads: f32, or f16 as an fp16 model returns them
 * (widened to f32 on load; no `shader-f16` needed). Everything computed stays f32.
 */
export type LogitsDtype = 'f32' | 'f16';

/** The `x`/`loadX` binding of the logits kernels for that dtype. */
export function logitsSnippet(dtype: LogitsDtype = 'f32'): WgslSnippet {
  return { name: `logits-${dtype}`, code: dtype === 'f16' ? logitsF16 : logitsF32, requires: [] };
}

/** Logits held by a GPU buffer of `byteSize` bytes. */
export function logitsInBuffer(byteSize: number, dtype: LogitsDtype = 'f32'): number {
  return byteSize / (dtype === 'f16' ? 2 : 4);
}

import { ShapeError } from '../errors.js';

/** Every listed dimension must be a positive integer. */
export function requirePositiveDims(kernel: string, dims: Record<string, number>): void {
  for (const [k, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v <= 0) throw new ShapeError(`${kernel}: ${k} must be a positive integer, got ${v}`, { dims });
  }
}

/**
 * An operand must hold `expected` elements. CPU arrays must match exactly; GPU buffers may be
 * larger than needed (allocators round sizes up), so for them only a lower bound is checked.
 */
export function requireElements(kernel: string, operand: string, actual: number, expected: number, kind: 'array' | 'buffer'): void {
  const ok = kind === 'array' ? actual === expected : actual >= expected;
  if (!ok) {
    const rel = kind === 'array' ? '' : 'at least ';
    throw new ShapeError(`${kernel}: ${operand} has ${actual} elements, expected ${rel}${expected}`, { operand, actual, expected });
  }
}

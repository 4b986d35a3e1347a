import { validateLogSoftmax, type LogSoftmaxShape } from './log-softmax.validate.js';

/**
 * Plain TypeScript reference of logSoftmax (also the CPU/WASM path), with torch.log_softmax's
 * semantics: y = x − (max + log Σ exp(x − max)) per row. Sums run in f64 and each result is
 * rounded once to f32: the shader's tree reduction has another summation order anyway, so the
 * reference is the exactly rounded value and the test tolerance bounds the shader's f32 error.
 * IEEE arithmetic gives torch's special cases by itself: −inf entries give −inf, and a row of all
 * −inf gives NaN (−inf − (−inf)), as torch.log_softmax(torch.full((3,), -inf)) does.
 */
export function logSoftmaxRef(input: Float32Array, shape: LogSoftmaxShape): Float32Array {
  validateLogSoftmax(shape, input.length, 'array');
  const { rows, vocab } = shape;
  const out = new Float32Array(rows * vocab);
  for (let r = 0; r < rows; r++) {
    const base = r * vocab;
    const shift = rowLogSumExp(input, base, vocab);
    for (let v = 0; v < vocab; v++) out[base + v] = input[base + v]! - shift;
  }
  return out;
}

/**
 * max + log Σ exp(x − max) over x[base, base + length): the shift of log_softmax. NaN for a
 * row of all −inf (torch.log_softmax semantics, not torch.logsumexp's −inf).
 */
export function rowLogSumExp(x: ArrayLike<number>, base: number, length: number): number {
  let max = -Infinity;
  for (let i = 0; i < length; i++) max = Math.max(max, x[base + i]!);
  let sum = 0;
  for (let i = 0; i < length; i++) sum += Math.exp(x[base + i]! - max);
  return max + Math.log(sum);
}

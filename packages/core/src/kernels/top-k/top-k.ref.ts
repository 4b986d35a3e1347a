import { validateTopK, type TopKShape } from './top-k.validate.js';

export interface TopKResult {
  /** (rows × k) column indices, each row ordered as `values`. */
  ids: Uint32Array;
  /** (rows × k) scores, descending within each row; the input values, bit for bit. */
  values: Float32Array;
}

/**
 * Plain TypeScript reference of topK (also the CPU/WASM path): the k largest entries of every
 * row, sorted descending. Same total order as the shader: equal scores by lower column first,
 * -0 equal to +0, -Infinity below every finite score, NaN below -Infinity (so NaN is returned only
 * when k exceeds the row's non-NaN entries). One pass per row keeping the best k in a sorted
 * buffer: O(cols + insertions·k).
 */
export function topKRef(scores: Float32Array, shape: TopKShape): TopKResult {
  validateTopK(shape, scores.length, 'array');
  const { rows, cols, k } = shape;
  const bits = new Uint32Array(scores.buffer, scores.byteOffset, scores.length);
  const ids = new Uint32Array(rows * k);
  const values = new Float32Array(rows * k);
  const keys = new Float64Array(k);
  const cand = new Uint32Array(k);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let filled = 0;
    for (let c = 0; c < cols; c++) {
      const key = orderKey(bits[base + c]!);
      // Columns arrive in ascending order, so an equal key never displaces an earlier column.
      if (filled === k && key <= keys[k - 1]!) continue;
      let p = filled < k ? filled++ : k - 1;
      while (p > 0 && keys[p - 1]! < key) {
        keys[p] = keys[p - 1]!;
        cand[p] = cand[p - 1]!;
        p--;
      }
      keys[p] = key;
      cand[p] = c;
    }
    for (let j = 0; j < k; j++) {
      ids[r * k + j] = cand[j]!;
      values[r * k + j] = scores[base + cand[j]!]!;
    }
  }
  return { ids, values };
}

/** The shader's monotone map of f32 bits to an unsigned key (see top-k.wgsl). */
function orderKey(b: number): number {
  if ((b & 0x7fffffff) > 0x7f800000) return 0; // NaN
  if (b === 0x80000000) return 0x80000000; // -0 as +0
  return b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
}

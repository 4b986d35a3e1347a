/**
 * The two numeric rules the beam search shares with transformers' vectorized `_beam_search`:
 * scores are float32 (every sum and quotient is rounded with `f32`, as a torch float32 tensor
 * op would round it), and a top-k that breaks exact ties by position.
 */

/** Rounds to float32: one call per torch float32 operation keeps the arithmetic bit-identical. */
export const f32 = Math.fround;

/**
 * transformers masks beams with `x + flag * -1.0e9` (not -inf, so masked beams still sort among
 * themselves). -1e9 is exact in float32; note that `f32(s - 1e9)` rounds to a multiple of 64.
 */
export const LARGE_NEGATIVE = -1.0e9;

/**
 * Indices of the `k` largest values, largest first. Exact ties keep their input order (lower index
 * first). torch.topk (CPU: nth_element + sort) leaves the order of ties unspecified. In beam
 * search, exact ties are between masked entries (`f32(s - 1e9)` rounds to a multiple of 64) and
 * -Infinity; they can only change rows that hold no finished hypothesis (score ≈ -1e9), which a
 * batch item returns only when fewer than `numReturnSequences` hypotheses finished (e.g. a tiny
 * vocabulary exhausted by no_repeat_ngram_size). Finished hypotheses are unaffected. NaN is not
 * supported (log-probabilities are never NaN).
 */
export function stableTopK(values: ArrayLike<number>, k: number): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => {
    const va = values[a] as number;
    const vb = values[b] as number;
    return va > vb ? -1 : va < vb ? 1 : a - b;
  });
  return order.slice(0, k);
}

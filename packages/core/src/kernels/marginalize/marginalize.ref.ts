import { rowLogSumExp } from '../log-softmax/log-softmax.ref.js';
import { validateMarginalize, type MarginalizeShape } from './marginalize.validate.js';

/**
 * Plain TypeScript reference of RAG-Token marginalization (also the CPU/WASM path), as
 * `RagTokenForGeneration.marginalize(seq_logits, doc_scores, n_docs)`:
 *   out[b, t, v] = logsumexp_z( log_softmax(doc_scores[b])_z + log_softmax(seq_logits[b·n+z, t])_v )
 * -> (batch × seqLen × vocab) f32. Every decoding step is marginalized the same way: HF's
 * `prepare_inputs_for_generation` sets `do_marginalize=True` at each step, first included, and
 * nothing step-specific happens here (forced/min-length rules are logits processors, run after).
 * Sums in f64, one rounding to f32 per output (see logSoftmaxRef).
 */
export function marginalizeRef(seqLogits: Float32Array, docScores: Float32Array, shape: MarginalizeShape): Float32Array {
  validateMarginalize('marginalize', shape, seqLogits.length, docScores.length, 'array');
  const { batch, nDocs, seqLen, vocab } = shape;
  const docLp = docLogSoftmaxRef(docScores, batch, nDocs);
  const out = new Float32Array(batch * seqLen * vocab);
  const terms = new Float64Array(nDocs);
  const shifts = new Float64Array(nDocs);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < seqLen; t++) {
      for (let z = 0; z < nDocs; z++) {
        shifts[z] = rowLogSumExp(seqLogits, ((b * nDocs + z) * seqLen + t) * vocab, vocab);
      }
      for (let v = 0; v < vocab; v++) {
        for (let z = 0; z < nDocs; z++) {
          terms[z] = seqLogits[((b * nDocs + z) * seqLen + t) * vocab + v]! - shifts[z]! + docLp[b * nDocs + z]!;
        }
        out[(b * seqLen + t) * vocab + v] = logSumExpRef(terms, 0, nDocs);
      }
    }
  }
  return out;
}

/** log_softmax of each question's doc scores over its nDocs: (batch × nDocs) -> same, f64. */
export function docLogSoftmaxRef(docScores: Float32Array, batch: number, nDocs: number): Float64Array {
  const out = new Float64Array(batch * nDocs);
  for (let b = 0; b < batch; b++) {
    const shift = rowLogSumExp(docScores, b * nDocs, nDocs);
    for (let z = 0; z < nDocs; z++) out[b * nDocs + z] = docScores[b * nDocs + z]! - shift;
  }
  return out;
}

/**
 * torch.logsumexp over x[base, base + length): max-shifted, except that an infinite max is
 * replaced by 0 (so all −inf gives −inf, not NaN, unlike log_softmax's shift).
 */
export function logSumExpRef(x: ArrayLike<number>, base: number, length: number): number {
  let max = -Infinity;
  for (let i = 0; i < length; i++) max = Math.max(max, x[base + i]!);
  if (Math.abs(max) === Infinity) max = 0;
  let sum = 0;
  for (let i = 0; i < length; i++) sum += Math.exp(x[base + i]! - max);
  return Math.log(sum) + max;
}

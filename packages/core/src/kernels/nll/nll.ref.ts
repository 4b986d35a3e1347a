import { rowLogSumExp } from '../log-softmax/log-softmax.ref.js';
import { docLogSoftmaxRef, logSumExpRef, marginalizeRef } from '../marginalize/marginalize.ref.js';
import {
  ragNllLength,
  shiftLabels,
  validateRagNll,
  type RagNllOptions,
  type RagNllResult,
  type RagNllShape,
  type RagSequenceNllOptions,
} from './nll.validate.js';

/**
 * RagTokenForGeneration.get_nll (also the CPU/WASM path). `labels` are the raw labels given to
 * forward(labels=...); they are shifted here. Per question b:
 *   nllLoss = −Σ_t m[b, t, target_t],  smoothLoss = −Σ_t Σ_v m[b, t, v],  t over non-pad targets,
 * m = marginalizeRef (RAG-Token log-probabilities). Sums in f64, rounded once to f32.
 */
export function ragTokenNllRef(
  seqLogits: Float32Array,
  docScores: Float32Array,
  labels: Int32Array | Uint32Array,
  shape: RagNllShape,
  options: RagNllOptions,
): RagNllResult {
  const lengths = { seqLogits: seqLogits.length, docScores: docScores.length, labels: labels.length };
  validateRagNll('ragTokenNll', shape, lengths, options, 'array');
  const { batch, seqLen, vocab } = shape;
  const target = shiftLabels(labels, shape, options.padTokenId);
  const logProbs = marginalizeRef(seqLogits, docScores, shape);
  const nll = new Float64Array(batch);
  const smooth = new Float64Array(batch);
  for (let b = 0; b < batch; b++) {
    let ll = 0;
    let sm = 0;
    for (let t = 0; t < seqLen; t++) {
      const id = target[b * seqLen + t]!;
      if (id === options.padTokenId) continue; // _mask_pads: ll and smooth_obj are 0 there
      const base = (b * seqLen + t) * vocab;
      ll += logProbs[base + id]!;
      for (let v = 0; v < vocab; v++) sm += logProbs[base + v]!;
    }
    nll[b] = -ll;
    smooth[b] = -sm;
  }
  return combine(nll, smooth, vocab, options);
}

/**
 * RagSequenceForGeneration.get_nll (also the CPU/WASM path). `labels` are what forward passes:
 * its `decoder_input_ids`, which are the labels unless given separately. Per question b and doc z,
 * over non-pad shifted targets:
 *   ll_z     = Σ_t lp[z, t, target_t],   smooth_z = Σ_t Σ_v lp[z, t, v],
 * lp = log_softmax(seq logits) plus log_softmax(doc scores)_z added at position t = 1 only (HF
 * adds the doc prior to the second token so that exclude_bos_score, which drops position 0, keeps
 * it; with seqLen 1 no prior is added, and a pad at t = 1 masks it away, exactly as in HF). Then
 * nllLoss = −logsumexp_z ll_z and smoothLoss = −logsumexp_z smooth_z. exclude_bos_score applies
 * only when every question's first shifted target is bosTokenId (HF's `use_bos`).
 */
export function ragSequenceNllRef(
  seqLogits: Float32Array,
  docScores: Float32Array,
  labels: Int32Array | Uint32Array,
  shape: RagNllShape,
  options: RagSequenceNllOptions,
): RagNllResult {
  const lengths = { seqLogits: seqLogits.length, docScores: docScores.length, labels: labels.length };
  validateRagNll('ragSequenceNll', shape, lengths, options, 'array');
  const { batch, nDocs, seqLen, vocab } = shape;
  const { padTokenId, excludeBosScore = false, bosTokenId = null } = options;
  const target = shiftLabels(labels, shape, padTokenId);
  let useBos = bosTokenId !== null;
  for (let b = 0; b < batch; b++) useBos &&= target[b * seqLen] === bosTokenId;
  const skipFirst = excludeBosScore && useBos;
  const docLp = docLogSoftmaxRef(docScores, batch, nDocs);
  const nll = new Float64Array(batch);
  const smooth = new Float64Array(batch);
  const llPerDoc = new Float64Array(nDocs);
  const smoothPerDoc = new Float64Array(nDocs);
  for (let b = 0; b < batch; b++) {
    for (let z = 0; z < nDocs; z++) {
      let ll = 0;
      let sm = 0;
      for (let t = 0; t < seqLen; t++) {
        const id = target[b * seqLen + t]!;
        if (id === padTokenId) continue;
        const base = ((b * nDocs + z) * seqLen + t) * vocab;
        const shift = rowLogSumExp(seqLogits, base, vocab);
        const prior = t === 1 ? docLp[b * nDocs + z]! : 0;
        if (!(skipFirst && t === 0)) ll += seqLogits[base + id]! - shift + prior;
        for (let v = 0; v < vocab; v++) sm += seqLogits[base + v]! - shift + prior;
      }
      llPerDoc[z] = ll;
      smoothPerDoc[z] = sm;
    }
    nll[b] = -logSumExpRef(llPerDoc, 0, nDocs);
    smooth[b] = -logSumExpRef(smoothPerDoc, 0, nDocs);
  }
  return combine(nll, smooth, vocab, options);
}

/** reduce_loss, then loss = (1 − ε)·nll_loss + (ε / vocab)·smooth_loss. */
function combine(nll: Float64Array, smooth: Float64Array, vocab: number, options: RagNllOptions): RagNllResult {
  const { epsilon = 0, reduceLoss = false } = options;
  const n = ragNllLength(nll.length, reduceLoss);
  const sum = (a: Float64Array) => a.reduce((s, x) => s + x, 0);
  const nllLoss = reduceLoss ? [sum(nll)] : [...nll];
  const smoothLoss = reduceLoss ? [sum(smooth)] : [...smooth];
  const loss = new Float32Array(n);
  for (let i = 0; i < n; i++) loss[i] = (1 - epsilon) * nllLoss[i]! + (epsilon / vocab) * smoothLoss[i]!;
  return { loss, nllLoss: Float32Array.from(nllLoss), smoothLoss: Float32Array.from(smoothLoss) };
}

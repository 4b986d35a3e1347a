import { docScoresAsIpScores, validateIpScores, type DocScoresShape, type IpScoresShape } from './ip-scores.validate.js';

/**
 * TS reference of ipScores, also the CPU path (ExactIndex without a device, doc scores on WASM):
 * scores[q, n] = queries[q, :] · corpus[q·stride + n, :], accumulated in f32 in h order as the
 * shader does. `out` (queries × rows) may be given to avoid an allocation per call.
 */
export function ipScoresRef(queries: Float32Array, corpus: Float32Array, shape: IpScoresShape, out?: Float32Array): Float32Array {
  validateIpScores(shape, queries.length, corpus.length, 'array');
  const { queries: nq, rows, dim } = shape;
  const stride = shape.corpus === 'perQuery' ? rows : 0;
  const scores = out ?? new Float32Array(nq * rows);
  for (let q = 0; q < nq; q++) {
    const qb = q * dim;
    for (let n = 0; n < rows; n++) {
      const cb = (q * stride + n) * dim;
      let acc = 0;
      for (let h = 0; h < dim; h++) acc = Math.fround(acc + Math.fround(queries[qb + h]! * corpus[cb + h]!));
      scores[q * rows + n] = acc;
    }
  }
  return scores;
}

/** RagModel's `doc_scores`: question (batch × hidden) · its docs (batch × nDocs × hidden). */
export function docScoresRef(question: Float32Array, docs: Float32Array, shape: DocScoresShape): Float32Array {
  return ipScoresRef(question, docs, docScoresAsIpScores(shape));
}

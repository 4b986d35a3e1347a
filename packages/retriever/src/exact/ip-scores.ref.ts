import { validateIpScores, type IpScoresShape } from './ip-scores.validate.js';

/**
 * Plain TypeScript reference of ipScores, also ExactIndex's CPU path:
 * scores[q, n] = queries[q, :] · corpus[n, :], accumulated in f32 in h order as the shader does.
 * `out` (queries × rows) may be given to avoid an allocation per call.
 */
export function ipScoresRef(queries: Float32Array, corpus: Float32Array, shape: IpScoresShape, out?: Float32Array): Float32Array {
  validateIpScores(shape, queries.length, corpus.length, 'array');
  const { queries: nq, rows, dim } = shape;
  const scores = out ?? new Float32Array(nq * rows);
  for (let q = 0; q < nq; q++) {
    const qb = q * dim;
    for (let n = 0; n < rows; n++) {
      const cb = n * dim;
      let acc = 0;
      for (let h = 0; h < dim; h++) acc = Math.fround(acc + Math.fround(queries[qb + h]! * corpus[cb + h]!));
      scores[q * rows + n] = acc;
    }
  }
  return scores;
}

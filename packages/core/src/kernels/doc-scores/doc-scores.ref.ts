import { validateDocScores, type DocScoresShape } from './doc-scores.validate.js';

/**
 * Plain TypeScript reference of docScores (also the CPU/WASM path):
 * scores[b, z] = question[b, :] · docs[b, z, :].
 */
export function docScoresRef(question: Float32Array, docs: Float32Array, shape: DocScoresShape): Float32Array {
  validateDocScores(shape, question.length, docs.length, 'array');
  const { batch, nDocs, hidden } = shape;
  const scores = new Float32Array(batch * nDocs);
  for (let b = 0; b < batch; b++) {
    for (let z = 0; z < nDocs; z++) {
      let acc = 0;
      const q = b * hidden;
      const d = (b * nDocs + z) * hidden;
      // Math.fround per step: accumulate in f32 as the shader does.
      for (let h = 0; h < hidden; h++) acc = Math.fround(acc + Math.fround(question[q + h]! * docs[d + h]!));
      scores[b * nDocs + z] = acc;
    }
  }
  return scores;
}

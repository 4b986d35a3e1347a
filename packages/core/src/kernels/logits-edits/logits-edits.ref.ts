import { validateLogitsEdits, type LogitsEditsShape, type RowEdit } from './logits-edits.validate.js';

/** TS reference of logitsEdits (and the CPU path): processors' edits, then + beam score per row. */
export function logitsEditsRef(scores: Float32Array, beamScores: ArrayLike<number>, edits: ReadonlyArray<RowEdit | undefined>, shape: LogitsEditsShape): Float32Array {
  validateLogitsEdits(shape, scores.length, beamScores, edits, 'array');
  const { rows, vocab } = shape;
  const out = new Float32Array(rows * vocab);
  for (let r = 0; r < rows; r++) {
    const e = edits[r];
    const ban = new Set(e?.ban ?? []);
    const allow = e?.allow ? new Set(e.allow) : undefined;
    const force = e?.force ? new Set(e.force) : undefined;
    const beam = beamScores[r]!;
    for (let v = 0; v < vocab; v++) {
      let s = scores[r * vocab + v]!;
      if (force) s = force.has(v) ? 0 : -Infinity;
      else if (ban.has(v) || (allow && !allow.has(v))) s = -Infinity;
      out[r * vocab + v] = Math.fround(s + beam);
    }
  }
  return out;
}

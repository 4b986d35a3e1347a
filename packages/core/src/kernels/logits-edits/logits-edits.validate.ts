import { ShapeError } from '../../errors.js';
import { requireElements, requirePositiveDims } from '../shape-checks.js';

export interface LogitsEditsShape {
  rows: number;
  vocab: number;
}

/**
 * What the logits processors do to one row this step (transformers applies forcing last):
 * `force` keeps only that token, at score 0; otherwise `ban` ids become -Infinity and, when
 * `allow` is given, so does every id not in it.
 */
export interface RowEdit {
  ban?: readonly number[];
  allow?: readonly number[];
  force?: number;
}

export const NO_ENTRY = 0xffffffff;

export function validateLogitsEdits(shape: LogitsEditsShape, scoresLength: number, beamScores: ArrayLike<number>, edits: ReadonlyArray<RowEdit | undefined>, kind: 'array' | 'buffer'): void {
  requirePositiveDims('logitsEdits', { ...shape });
  requireElements('logitsEdits', 'scores (rows·vocab)', scoresLength, shape.rows * shape.vocab, kind);
  requireElements('logitsEdits', 'beam scores (rows)', beamScores.length, shape.rows, 'array');
  if (edits.length > shape.rows) throw new ShapeError(`logitsEdits: ${edits.length} row edits for ${shape.rows} rows`);
  edits.forEach((e, r) => {
    for (const id of [...(e?.ban ?? []), ...(e?.allow ?? []), ...(e?.force === undefined ? [] : [e.force])]) {
      if (!Number.isInteger(id) || id < 0 || id >= shape.vocab) throw new ShapeError(`logitsEdits: row ${r} names token ${id}, outside [0, ${shape.vocab})`);
    }
  });
}

/** Packs row edits into the shader's (rows × 5) spec table and one token list. */
export function packRowEdits(rows: number, edits: ReadonlyArray<RowEdit | undefined>): { specs: Uint32Array; tokens: Uint32Array } {
  const specs = new Uint32Array(rows * 5);
  const tokens: number[] = [];
  for (let r = 0; r < rows; r++) {
    const e = edits[r];
    specs[r * 5] = tokens.length;
    specs[r * 5 + 1] = e?.ban?.length ?? 0;
    tokens.push(...(e?.ban ?? []));
    specs[r * 5 + 2] = tokens.length;
    specs[r * 5 + 3] = e?.allow ? e.allow.length : NO_ENTRY;
    tokens.push(...(e?.allow ?? []));
    specs[r * 5 + 4] = e?.force ?? NO_ENTRY;
  }
  return { specs, tokens: Uint32Array.from(tokens.length ? tokens : [0]) };
}

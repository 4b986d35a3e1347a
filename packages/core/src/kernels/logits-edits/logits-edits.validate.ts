import { ShapeError } from '../../errors.js';
import { requireElements, requirePositiveDims } from '../shape-checks.js';

export interface LogitsEditsShape {
  rows: number;
  vocab: number;
}

/**
 * What the logits processors do to one row this step, folded into one edit in their order (the
 * models package's `foldRowEdits`): `force` keeps only its tokens, each at score 0 (ForcedBOS,
 * ForcedEOS with one or several EOS ids; an empty list leaves the whole row -Infinity) and wins
 * over `ban`/`allow` of the same edit, as transformers runs the forcing processors last; otherwise
 * `ban` ids become -Infinity and, when `allow` is given, so does every id not in it.
 */
export interface RowEdit {
  ban?: readonly number[];
  allow?: readonly number[];
  force?: readonly number[];
}

/** u32 words per row of the packed spec table: ban, allow and force lists as (start, length). */
export const ROW_SPEC_WORDS = 6;

export const NO_ENTRY = 0xffffffff;

export function validateLogitsEdits(shape: LogitsEditsShape, scoresLength: number, beamScores: ArrayLike<number>, edits: ReadonlyArray<RowEdit | undefined>, kind: 'array' | 'buffer'): void {
  requirePositiveDims('logitsEdits', { ...shape });
  requireElements('logitsEdits', 'scores (rows·vocab)', scoresLength, shape.rows * shape.vocab, kind);
  requireElements('logitsEdits', 'beam scores (rows)', beamScores.length, shape.rows, 'array');
  if (edits.length > shape.rows) throw new ShapeError(`logitsEdits: ${edits.length} row edits for ${shape.rows} rows`);
  edits.forEach((e, r) => {
    for (const id of [...(e?.ban ?? []), ...(e?.allow ?? []), ...(e?.force ?? [])]) {
      if (!Number.isInteger(id) || id < 0 || id >= shape.vocab) throw new ShapeError(`logitsEdits: row ${r} names token ${id}, outside [0, ${shape.vocab})`);
    }
  });
}

/** Packs row edits into the shader's (rows × ROW_SPEC_WORDS) spec table and one token list. */
export function packRowEdits(rows: number, edits: ReadonlyArray<RowEdit | undefined>): { specs: Uint32Array; tokens: Uint32Array } {
  const specs = new Uint32Array(rows * ROW_SPEC_WORDS);
  const tokens: number[] = [];
  for (let r = 0; r < rows; r++) {
    const e = edits[r];
    // An absent allow or force list is NO_ENTRY, not an empty one (which means "nothing allowed").
    [e?.ban ?? [], e?.allow, e?.force].forEach((list, i) => {
      specs[r * ROW_SPEC_WORDS + 2 * i] = tokens.length;
      specs[r * ROW_SPEC_WORDS + 2 * i + 1] = list ? list.length : NO_ENTRY;
      tokens.push(...(list ?? []));
    });
  }
  return { specs, tokens: Uint32Array.from(tokens.length ? tokens : [0]) };
}

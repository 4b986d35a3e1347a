import { ShapeError } from '@rag-web/core';

/**
 * What a logits processor does to one score row, as data rather than as a dense pass over the
 * row. The WebGPU decode loop keeps scores on the GPU and applies these by writing a few values,
 * so it never reads a 50k-wide row back; the CPU path may apply them with `applyLogitsEdits`.
 *
 * - `ban`: `scores[t] = -Infinity` for every `t` in `tokenIds`; other tokens keep their score.
 * - `allowOnly`: every token NOT in `tokenIds` becomes `-Infinity`; listed tokens keep their score.
 * - `force`: listed tokens become `0`, every other token `-Infinity` (the row no longer depends on
 *   the model: transformers' ForcedBOS/ForcedEOS write `0`, not the token's own score).
 *
 * Contract: for scores that are not `+Infinity` or `NaN` (log-probabilities never are), applying a
 * processor's edits gives bit for bit what its dense `apply` gives. `tokenIds` are ascending and
 * distinct; ids at or past the vocabulary size never appear.
 */
export type LogitsEditKind = 'ban' | 'allowOnly' | 'force';

export interface LogitsEdit {
  /** Row of the `rows × vocabSize` score matrix (batch·numBeams rows in beam search). */
  row: number;
  kind: LogitsEditKind;
  tokenIds: readonly number[];
}

/** Applies edits in order to `scores` (rows × vocabSize, row-major), in place. */
export function applyLogitsEdits(edits: readonly LogitsEdit[], scores: Float32Array, vocabSize: number): void {
  const rows = scores.length / vocabSize;
  for (const edit of edits) {
    if (!Number.isInteger(edit.row) || edit.row < 0 || edit.row >= rows) {
      throw new ShapeError(`applyLogitsEdits: row ${edit.row} is outside the ${rows} score rows`, { row: edit.row, rows });
    }
    const base = edit.row * vocabSize;
    if (edit.kind === 'ban') {
      for (const t of edit.tokenIds) scores[base + t] = -Infinity;
      continue;
    }
    const keep = new Set(edit.tokenIds);
    for (let t = 0; t < vocabSize; t++) {
      if (!keep.has(t)) scores[base + t] = -Infinity;
      else if (edit.kind === 'force') scores[base + t] = 0;
    }
  }
}

/**
 * Folds any sequence of edits into at most one edit per row with the same effect, so the GPU
 * writes each row once. Order matters and is kept: a ban before a force is overwritten by the
 * force (ForcedEOS after NoRepeatNGram), a ban after a force removes a forced token, an allowOnly
 * after a force keeps only the forced tokens it allows.
 */
export function compactLogitsEdits(edits: readonly LogitsEdit[]): LogitsEdit[] {
  type RowState = { mode: 'free' | 'allowOnly' | 'force'; kept: Set<number>; banned: Set<number> };
  const rows = new Map<number, RowState>();
  for (const edit of edits) {
    let state = rows.get(edit.row);
    if (state === undefined) {
      state = { mode: 'free', kept: new Set(), banned: new Set() };
      rows.set(edit.row, state);
    }
    if (edit.kind === 'force') {
      // A force rewrites the whole row, so nothing before it survives.
      state.mode = 'force';
      state.kept = new Set(edit.tokenIds);
      state.banned.clear();
    } else if (edit.kind === 'ban') {
      if (state.mode === 'free') for (const t of edit.tokenIds) state.banned.add(t);
      else for (const t of edit.tokenIds) state.kept.delete(t);
    } else if (state.mode === 'free') {
      state.mode = 'allowOnly';
      state.kept = new Set(edit.tokenIds.filter((t) => !state.banned.has(t)));
      state.banned.clear();
    } else {
      const allowed = new Set(edit.tokenIds);
      state.kept = new Set([...state.kept].filter((t) => allowed.has(t)));
    }
  }
  const out: LogitsEdit[] = [];
  for (const row of [...rows.keys()].sort((a, b) => a - b)) {
    const state = rows.get(row) as RowState;
    if (state.mode === 'free') {
      if (state.banned.size > 0) out.push({ row, kind: 'ban', tokenIds: sortedIds(state.banned) });
    } else {
      out.push({ row, kind: state.mode, tokenIds: sortedIds(state.kept) });
    }
  }
  return out;
}

function sortedIds(ids: Iterable<number>): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

/** Builds one edit with its ids sorted and deduplicated (the form the contract promises). */
export function logitsEdit(row: number, kind: LogitsEditKind, tokenIds: Iterable<number>): LogitsEdit {
  return { row, kind, tokenIds: sortedIds(tokenIds) };
}

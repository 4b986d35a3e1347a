import type { RowEdit } from '@rag-web/core';

// The logits processors describe what they do to a score row as core's `RowEdit` (ban ids,
// allow only some ids, or force some ids to 0), so the WebGPU decode loop applies them by writing
// a few values and never reads a 50k-wide row back; on WASM core's `logitsEditsRef` applies them.
// Contract: for scores that are not `+Infinity` or `NaN` (log-probabilities never are), applying
// a processor's edits gives bit for bit what transformers' processor gives. Ids are ascending and
// distinct; ids at or past the vocabulary size never appear.

/**
 * `then` applied after `first`, as one edit with the same effect, so the GPU writes each row
 * once. A force rewrites the row, so nothing before it survives (ForcedEOS after NoRepeatNGram);
 * a ban after a force removes a forced token; an allow-list after a force keeps only the forced
 * tokens it allows; bans before an allow-list shrink it.
 */
export function foldRowEdits(first: RowEdit | undefined, then: RowEdit | undefined): RowEdit | undefined {
  if (!then) return first;
  if (then.force) return { force: sortedIds(then.force) };
  const removed = new Set(then.ban ?? []);
  const allowed = then.allow ? new Set(then.allow) : undefined;
  const keep = (ids: readonly number[]) => sortedIds(ids.filter((t) => !removed.has(t) && (!allowed || allowed.has(t))));
  if (first?.force) return { force: keep(first.force) };
  if (first?.allow) return { allow: keep(first.allow) };
  if (then.allow) {
    const banned = new Set(first?.ban ?? []);
    return { allow: keep(then.allow.filter((t) => !banned.has(t))) };
  }
  return { ban: sortedIds([...(first?.ban ?? []), ...(then.ban ?? [])]) };
}

/** The same edit for every one of `rows` rows, its ids sorted and deduplicated. */
export function everyRow(rows: number, edit: RowEdit): RowEdit[] {
  const sorted: RowEdit = {};
  if (edit.ban) sorted.ban = sortedIds(edit.ban);
  if (edit.allow) sorted.allow = sortedIds(edit.allow);
  if (edit.force) sorted.force = sortedIds(edit.force);
  return Array.from({ length: rows }, () => sorted);
}

export function sortedIds(ids: Iterable<number>): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

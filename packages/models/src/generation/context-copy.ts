import type { PrefixAllowedTokensFn } from './logits-processors.js';

/**
 * Copy decoding: a `prefixAllowedTokensFn` that lets the generator write only spans of its
 * retrieved contexts. The first token starts a word of some context; each next token continues
 * the written span where it occurs in a context; EOS is allowed where such an occurrence ends at
 * a word boundary (the next context token does not go on with the word). A small generator that
 * reads the right passage but garbles an unseen name ("Manamaama", "S") then writes it whole, and
 * an answer is always words of a retrieved passage: the knowledge comes from the index.
 *
 * Not a transformers option: transformers runs the same rule as its `prefix_allowed_tokens_fn`
 * (tools/fixtures_lib/copy_constraint.py; fixtures/tiny-a/copy_reference.json holds its results).
 */
export interface ContextCopyOptions {
  /** Per generator batch item, its context rows (token ids; pads and specials are dropped). */
  contexts: readonly (readonly (readonly number[])[])[];
  /** The generator vocabulary's token strings by id (byte-level BPE marks a word start with "Ġ"). */
  tokens: readonly string[];
  /** Ids never copied nor counted as written: pad, BOS, EOS, the decoder start token. */
  specialIds: readonly number[];
  eosTokenId: number;
}

export function contextCopyConstraint(options: ContextCopyOptions): PrefixAllowedTokensFn {
  const { tokens, eosTokenId } = options;
  const special = new Set(options.specialIds);
  const startsWord = (id: number) => /^[Ġ▁]/u.test(tokens[id] ?? '');
  const continuesWord = (id: number) => !startsWord(id) && /^[\p{L}\p{N}]/u.test(tokens[id] ?? '');
  const items = options.contexts.map((rows) => rows.map((row) => row.filter((id) => !special.has(id))));
  const firsts = items.map((rows) => {
    const all = rows.flat();
    const starts = all.filter(startsWord);
    return [...new Set(starts.length > 0 ? starts : all)].sort((a, b) => a - b);
  });

  return (batchId, inputIds) => {
    const rows = items[batchId];
    if (!rows) throw new RangeError(`contextCopyConstraint: no contexts for batch item ${batchId}`);
    let from = 0;
    while (from < inputIds.length && special.has(inputIds[from]!)) from++;
    const written = inputIds.slice(from);
    if (written.length === 0) return firsts[batchId]!;
    const next = new Set<number>();
    let canEnd = false;
    for (const row of rows) {
      for (let p = 0; p + written.length <= row.length; p++) {
        if (!written.every((id, i) => row[p + i] === id)) continue;
        const after = row[p + written.length];
        if (after === undefined) canEnd = true;
        else {
          next.add(after);
          if (!continuesWord(after)) canEnd = true;
        }
      }
    }
    if (canEnd || next.size === 0) next.add(eosTokenId);
    return [...next].sort((a, b) => a - b);
  };
}

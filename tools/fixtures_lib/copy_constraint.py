"""Copy decoding as transformers' `prefix_allowed_tokens_fn`: the generator writes only spans of its
retrieved contexts. The twin of packages/models/src/generation/context-copy.ts (same rule, same
tie-free sorted lists): the first token starts a word of some context, each next token continues
the written span where it occurs, EOS where an occurrence ends at a word boundary."""

from __future__ import annotations


def _starts_word(t):
    return t[:1] in ("Ġ", "▁")


def _continues_word(t):
    return not _starts_word(t) and t[:1].isalnum()


def copy_constraint(tokenizer, contexts, special_ids, eos_token_id):
    """contexts: per generator batch item, its context rows (lists of ids). For RagTokenForGeneration
    an item is a question (its n_docs rows); for RagSequenceForGeneration, which runs the generator
    per question over its documents, an item is one document (one row)."""
    tokens = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
    special = set(special_ids)
    items = [[[t for t in row if t not in special] for row in rows] for rows in contexts]
    firsts = []
    for rows in items:
        flat = [t for row in rows for t in row]
        starts = [t for t in flat if _starts_word(tokens[t])]
        firsts.append(sorted(set(starts or flat)))

    def allowed(batch_id, input_ids):
        ids = input_ids.tolist()
        start = 0
        while start < len(ids) and ids[start] in special:
            start += 1
        written = ids[start:]
        if not written:
            return firsts[batch_id]
        n, nxt, can_end = len(written), set(), False
        for row in items[batch_id]:
            for p in range(len(row) - n + 1):
                if row[p : p + n] != written:
                    continue
                if p + n == len(row):
                    can_end = True
                else:
                    nxt.add(row[p + n])
                    if not _continues_word(tokens[row[p + n]]):
                        can_end = True
        if can_end or not nxt:
            nxt.add(eos_token_id)
        return sorted(nxt)

    return allowed


def special_ids_of(generator_config):
    """Pad, BOS, EOS and the decoder start token: never copied, never counted as written."""
    ids = [generator_config.pad_token_id, generator_config.bos_token_id, generator_config.eos_token_id,
           generator_config.decoder_start_token_id]
    return sorted({i for i in ids if i is not None})

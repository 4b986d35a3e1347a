"""What the generator reads: RAG's context strings (title / text // question), tokenized, and answers as labels."""

from __future__ import annotations

from fixtures_lib.retrieval import format_context


def question_strings(qtok, questions):
    """The question as RagRetriever passes it to the generator: the question encoder's tokens, decoded."""
    return qtok.batch_decode(qtok(questions, truncation=True)["input_ids"], skip_special_tokens=True)


def tokenize_contexts(torch, cfg, gtok, passages, doc_rows, qstrings):
    """(len(doc_rows) * n, L) ids and mask of RagRetriever.postprocess_docs' strings, padded to the longest."""
    prefix = getattr(cfg.generator, "prefix", None)
    strings = [format_context(passages[d]["title"], passages[d]["text"], q, cfg, prefix)
               for row, q in zip(doc_rows, qstrings) for d in row]
    enc = gtok(strings, max_length=cfg.max_combined_length, truncation=True, padding="longest", return_tensors="pt")
    return enc["input_ids"], enc["attention_mask"]


def answer_ids(gtok, answer):
    """Answer tokens as they appear inside a passage (after a space, byte-level BPE's Ġ tokens) then EOS:
    the generator copies the passage's own tokens."""
    return gtok(" " + answer, add_special_tokens=False)["input_ids"] + [gtok.eos_token_id]


def pad_labels(torch, rows, pad_id):
    T = max(len(r) for r in rows)
    out = torch.full((len(rows), T), pad_id, dtype=torch.long)
    for i, r in enumerate(rows):
        out[i, : len(r)] = torch.tensor(r)
    return out

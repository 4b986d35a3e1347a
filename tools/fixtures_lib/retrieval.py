"""Retrieval and contexts of the fixtures, by transformers' own RagRetriever code.

Exact inner-product top-n (ties to the lower doc id) over passage_embeddings.npy;
context strings and ids from `RagRetriever.postprocess_docs` (recorded where it
calls the generator tokenizer) and from `RagRetriever.__call__` on an in-memory
index, both checked against `format_context` here.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .common import log


def top_docs(emb, q, n):
    """Exact inner-product top-n, ties broken by lower id. Returns ids and the
    smallest gap between consecutive scores among the first n+1."""
    scores = emb @ q.astype(np.float32)
    order = np.lexsort((np.arange(len(scores)), -scores.astype(np.float64)))
    ids = [int(i) for i in order[:n]]
    s = scores[order[: n + 1]].astype(np.float64)
    gap = float(np.min(s[:-1] - s[1:])) if len(s) > 1 else float("inf")
    return ids, gap


def format_context(title, text, question, cfg, prefix):
    title = title.removeprefix('"').removesuffix('"')
    prefix = "" if prefix is None else prefix
    return (prefix + title + cfg.title_sep + text + cfg.doc_sep + question).replace("  ", " ")



class RecordingTokenizer:
    """A generator tokenizer that records the strings it is called on (transformers'
    `postprocess_docs` builds its context strings in a closure and only tokenizes them)."""

    def __init__(self, tok):
        self.tok = tok
        self.calls = []

    def __call__(self, texts, *a, **kw):
        self.calls.append(list(texts))
        return self.tok(texts, *a, **kw)

    def __getattr__(self, name):
        return getattr(self.tok, name)


def doc_dicts(passages, doc_ids):
    return {"title": [passages[i]["title"] for i in doc_ids], "text": [passages[i]["text"] for i in doc_ids]}


def check_same(what, strings, ids, mask, hf_strings, hf_ids, hf_mask, torch):
    if hf_strings != strings:
        raise AssertionError(f"{what}: context strings differ from format_context: {hf_strings[:1]} vs {strings[:1]}")
    if not (torch.equal(hf_ids, ids) and torch.equal(hf_mask, mask)):
        raise AssertionError(f"{what}: context ids differ from format_context")


def postprocess(cfg, gtok, passages, doc_ids, question_string, n_docs, torch):
    """context strings, ids, mask via RagRetriever.postprocess_docs (the generator's prefix, as
    RagModel.forward and RagTokenForGeneration.generate pass it), checked against format_context."""
    docs = [doc_dicts(passages, doc_ids)]
    prefix = getattr(cfg.generator, "prefix", None)
    strings = [format_context(t, x, question_string, cfg, prefix) for t, x in zip(docs[0]["title"], docs[0]["text"])]
    mine = gtok(strings, max_length=cfg.max_combined_length, padding="max_length", truncation=True,
                return_tensors="pt")
    try:
        from transformers.models.rag.retrieval_rag import RagRetriever

        rec = RecordingTokenizer(gtok)
        ns = SimpleNamespace(config=cfg, generator_tokenizer=rec)
        ids, mask = RagRetriever.postprocess_docs(ns, docs, [question_string], prefix, n_docs, return_tensors="pt")
        check_same("RagRetriever.postprocess_docs", strings, mine["input_ids"], mine["attention_mask"],
                   rec.calls[-1], ids, mask, torch)
    except (ImportError, AttributeError, TypeError) as exc:
        log(f"WARN RagRetriever.postprocess_docs not usable ({type(exc).__name__}: {exc}); "
            "using the same formatting done here")
        ids, mask = mine["input_ids"], mine["attention_mask"]
    return strings, ids, mask


def make_index(passages, emb):
    """transformers' retrieval Index over the fixture's passages (exact search, as top_docs)."""
    from transformers.models.rag.retrieval_rag import Index

    class MemoryIndex(Index):
        def get_doc_dicts(self, doc_ids):
            return [doc_dicts(passages, [int(i) for i in row]) for row in doc_ids]

        def get_top_docs(self, question_hidden_states, n_docs=5):
            ids = [top_docs(emb, q, n_docs)[0] for q in question_hidden_states]
            return np.array(ids), emb[np.array(ids)]

        def is_initialized(self):
            return True

        def init_index(self):
            pass

    return MemoryIndex()


def make_retriever(cfg, qtok, gtok, index):
    """RagRetriever(config, tokenizers, index=...). Its constructor needs the `datasets` package
    only for indexes we do not use; without it the object gets the attributes __init__ sets."""
    from transformers.models.rag.retrieval_rag import RagRetriever

    try:
        return RagRetriever(cfg, qtok, gtok, index=index, init_retrieval=False)
    except ImportError:
        r = RagRetriever.__new__(RagRetriever)
        r._init_retrieval = False
        r.index, r.generator_tokenizer, r.question_encoder_tokenizer = index, gtok, qtok
        r.n_docs, r.batch_size, r.config = cfg.n_docs, cfg.retrieval_batch_size, cfg
        r.ctx_encoder_tokenizer, r.return_tokenized_docs = None, False
        return r


def retriever_call(cfg, qtok, gtok, passages, emb, question_input_ids, pooled):
    """RagRetriever.__call__ with its default prefix (config.generator.prefix): doc ids, context
    strings (recorded), context ids and mask for a batch of questions."""
    rec = RecordingTokenizer(gtok)
    retriever = make_retriever(cfg, qtok, rec, make_index(passages, emb))
    out = retriever(question_input_ids, np.asarray(pooled, dtype=np.float32), return_tensors="pt")
    return out["doc_ids"].tolist(), rec.calls[-1], out["context_input_ids"], out["context_attention_mask"]


def embed_passages(torch, ctx_model, ctok, passages):
    """DPR context encoder pooled output of (title, text) pairs, truncation 128, batches of 64."""
    parts = []
    with torch.no_grad():
        for i in range(0, len(passages), 64):
            chunk = passages[i : i + 64]
            enc = ctok([p["title"] for p in chunk], [p["text"] for p in chunk], truncation=True, max_length=128,
                       padding="longest", return_tensors="pt")
            parts.append(ctx_model(**enc, return_dict=True).pooler_output.float().numpy())
    return np.concatenate(parts).astype(np.float32)

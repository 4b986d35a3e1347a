"""Generation helpers: one generate setting on given contexts, degenerate-sequence checks."""

from __future__ import annotations

import contextlib

from .specs import SETTING_BY_NAME


def batch_decode(tok, ids):
    try:
        return tok.batch_decode(ids, skip_special_tokens=True)
    except AttributeError:
        return [tok.decode(x, skip_special_tokens=True) for x in ids]


def run_setting(name, token_model, seq_model, ctx_ids, ctx_mask, doc_scores, n_docs):
    kind, kw = SETTING_BY_NAME[name]
    return run_generate(kind, kw, token_model, seq_model, ctx_ids, ctx_mask, doc_scores, n_docs)


def run_generate(kind, kw, token_model, seq_model, ctx_ids, ctx_mask, doc_scores, n_docs):
    """generate(**kw) of the RAG-Token ("token") or RAG-Sequence model on given contexts, as lists of ids."""
    m = token_model if kind == "token" else seq_model
    out = m.generate(context_input_ids=ctx_ids, context_attention_mask=ctx_mask, doc_scores=doc_scores,
                     n_docs=n_docs, **kw)
    if hasattr(out, "sequences"):
        out = out.sequences
    return out.tolist()


def content_tokens(ids, special):
    return [t for t in ids if t not in special]


def is_degenerate(ids, special):
    c = content_tokens(ids, special)
    return len(c) >= 2 and len(set(c)) == 1


@contextlib.contextmanager
def stable_topk(torch):
    """torch.topk with exact ties in input order (lower index first), the rule of rag-web's beam
    search (packages/models/src/generation/float32-topk.ts); torch leaves the order of ties open."""
    native = torch.topk

    def topk(x, k, dim=-1, largest=True, sorted=True, **kw):
        v, i = torch.sort(x, dim=dim, descending=largest, stable=True)
        return torch.return_types.topk((v.narrow(dim, 0, k), i.narrow(dim, 0, k)))

    torch.topk = topk
    try:
        yield
    finally:
        torch.topk = native


def load_case_models(description, argv, repo):
    """`--case` from argv, then that fixture's folder, reference.json, generator tokenizer and both
    RAG classes on its rag-token checkpoint (eval mode)."""
    import argparse
    import json
    import os

    from transformers import RagSequenceForGeneration, RagTokenForGeneration, RagTokenizer

    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--case", default="tiny-a")
    case = ap.parse_args(argv).case
    case_dir = os.path.join(repo, "fixtures", case)
    hf = os.path.join(case_dir, "hf", "rag-token")
    with open(os.path.join(case_dir, "reference.json")) as f:
        ref = json.load(f)
    tok = RagTokenizer.from_pretrained(hf).generator
    models = {"token": RagTokenForGeneration.from_pretrained(hf).eval(), "seq": RagSequenceForGeneration.from_pretrained(hf).eval()}
    return case, case_dir, ref, tok, models

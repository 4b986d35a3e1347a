#!/usr/bin/env python3
"""max_new_tokens reference values: transformers' RAG generate with max_new_tokens on a fixture's
checkpoint and its reference contexts.

    python3 tools/max_new_tokens_reference.py [--case tiny-a]

Writes fixtures/CASE/max_new_tokens_reference.json: per reference question, the generated ids of a
few settings, for packages/models/src/max-new-tokens.test.ts to match.

max_new_tokens is "the maximum number of tokens to generate, ignoring the number of tokens in the
prompt"; the decoder prompt of RAG generate is the decoder start token, so max_length becomes
max_new_tokens + 1, and max_new_tokens wins when max_length is given too (transformers warns).
RagSequenceForGeneration applies it in its per-document generator.generate, so its values are
transformers' own. transformers 5.17's RagTokenForGeneration.generate never calls
_prepare_generated_length and ignores max_new_tokens (this script checks that it still does):
its values are generate(max_length=max_new_tokens + 1), the definition, which rag-web follows.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fixtures_lib.generation import batch_decode, load_case_models, stable_topk  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DECODER_PROMPT_LENGTH = 1
SETTINGS = {
    "token_greedy_new5": ("token", dict(num_beams=1, max_new_tokens=5)),
    "token_beam3_new4": ("token", dict(num_beams=3, max_new_tokens=4)),
    "token_beam2_min6_new8": ("token", dict(num_beams=2, min_length=6, max_new_tokens=8)),
    "token_greedy_new5_len12": ("token", dict(num_beams=1, max_new_tokens=5, max_length=12)),
    "seq_greedy_new4": ("seq", dict(num_beams=1, num_return_sequences=1, max_new_tokens=4)),
    "seq_beam2_ret1_new5": ("seq", dict(num_beams=2, num_return_sequences=1, max_new_tokens=5)),
    "seq_beam3_ret2_new6_len12": ("seq", dict(num_beams=3, num_return_sequences=2, max_new_tokens=6, max_length=12)),
    # No length at all: the per-document generator.generate reads the library default max_length
    # (20) as 20 new tokens, i.e. max_length 21 (_prepare_generated_length's has_default_max_length).
    "seq_beam2_ret1_default_length": ("seq", dict(num_beams=2, num_return_sequences=1)),
}


def as_defined(kw):
    """RagToken's kwargs with max_new_tokens turned into the max_length it means."""
    out = {k: v for k, v in kw.items() if k not in ("max_new_tokens", "max_length")}
    out["max_length"] = kw["max_new_tokens"] + DECODER_PROMPT_LENGTH
    return out


def main(argv=None):
    import torch
    import transformers

    case, case_dir, ref, tok, models = load_case_models(__doc__.split("\n")[0], argv, REPO)
    pad = models["token"].config.generator.pad_token_id
    out = []
    token_ignores = True
    with torch.no_grad(), stable_topk(torch):
        for q in ref["per_question"]:
            ids = torch.tensor(q["context_input_ids"])
            ctx = dict(context_input_ids=ids, context_attention_mask=(ids != pad).long(),
                       doc_scores=torch.tensor([q["doc_scores"]], dtype=torch.float32), n_docs=ids.shape[0])
            gens, texts = {}, {}
            for name, (kind, kw) in SETTINGS.items():
                if kind == "token":
                    seqs = models["token"].generate(**ctx, **as_defined(kw))
                    without = {k: v for k, v in kw.items() if k != "max_new_tokens"}
                    ignored = models["token"].generate(**ctx, **kw).tolist() == models["token"].generate(**ctx, **without).tolist()
                    token_ignores = token_ignores and ignored
                else:
                    seqs = models["seq"].generate(**ctx, **kw)
                gens[name] = seqs.tolist()
                texts[name] = batch_decode(tok, seqs)
            out.append({"question": q["question"], "generate": gens, "generate_text": texts})
    path = os.path.join(case_dir, "max_new_tokens_reference.json")
    settings = {name: {"variant": "token" if kind == "token" else "sequence", "kwargs": kw} for name, (kind, kw) in SETTINGS.items()}
    with open(path, "w") as f:
        json.dump({"case": case, "transformers": transformers.__version__,
                   "rag_token_generate_ignores_max_new_tokens": token_ignores,
                   "settings": settings, "per_question": out}, f, indent=1)
    print(f"wrote {path}: {len(out)} questions × {len(SETTINGS)} settings; RagToken ignores max_new_tokens: {token_ignores}")
    for q in out[:3]:
        print(q["question"], q["generate_text"])


if __name__ == "__main__":
    sys.exit(main())

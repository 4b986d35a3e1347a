#!/usr/bin/env python3
"""Copy decoding's reference values: transformers' RAG generate with fixtures_lib/copy_constraint.py as
its prefix_allowed_tokens_fn, on a fixture's checkpoint and its reference contexts.

    python3 tools/copy_reference.py [--case tiny-a]

Writes fixtures/CASE/copy_reference.json: per reference question, the generated ids of a few
settings (RAG-Token greedy and beam, RAG-Sequence beam), for the TypeScript twin to match.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fixtures_lib.copy_constraint import copy_constraint, special_ids_of  # noqa: E402
from fixtures_lib.generation import batch_decode, load_case_models, stable_topk  # noqa: E402
from fixtures_lib.specs import SETTING_BY_NAME  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETTINGS = ["token_greedy_len12", "token_beam3_len12", "seq_beam2_ret1_len10", "seq_beam3_ret2_len10"]


def main(argv=None):
    import torch

    case, case_dir, ref, tok, models = load_case_models(__doc__.split("\n")[0], argv, REPO)
    gcfg = models["token"].config.generator
    special, eos = special_ids_of(gcfg), gcfg.eos_token_id
    out = []
    with torch.no_grad(), stable_topk(torch):
        for q in ref["per_question"]:
            ids = torch.tensor(q["context_input_ids"])
            mask = torch.tensor(q["context_attention_mask"])
            scores = torch.tensor([q["doc_scores"]], dtype=torch.float32)
            n = ids.shape[0]
            gens, texts = {}, {}
            for name in SETTINGS:
                kind, kw = SETTING_BY_NAME[name]
                rows = q["context_input_ids"]
                # RAG-Token: the question is the batch item; RAG-Sequence: each document is.
                contexts = [rows] if kind == "token" else [[r] for r in rows]
                fn = copy_constraint(tok, contexts, special, eos)
                seqs = models[kind].generate(context_input_ids=ids, context_attention_mask=mask, doc_scores=scores, n_docs=n,
                                             prefix_allowed_tokens_fn=fn, **kw)
                gens[name] = seqs.tolist()
                texts[name] = batch_decode(tok, seqs)
            out.append({"question": q["question"], "generate": gens, "generate_text": texts})
    path = os.path.join(case_dir, "copy_reference.json")
    with open(path, "w") as f:
        json.dump({"case": case, "settings": SETTINGS, "per_question": out}, f, indent=1)
    print(f"wrote {path}: {len(out)} questions × {len(SETTINGS)} settings")
    for q in out[:3]:
        print(q["question"], q["generate_text"])


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Train the embedded default model, world-facts, on CPU, seeded, printing its metrics.

    python3 tools/train_default.py [--data fixtures/world-facts] [--seed 17] [--quick]

Steps (tools/world_facts/ has one module each):
 1. WordPiece (DPR side) and byte-level BPE (BART side) tokenizers trained on the corpus;
 2. DPR question and context encoders from scratch, in-batch negatives + BM25 hard negatives,
    on the training entities' questions; the passages embedded by the context encoder;
 3. the BART generator warmed up on (gold passage + question -> answer);
 4. question encoder + generator fine-tuned jointly with RagTokenForGeneration's own loss over
    the top n_docs retrieved passages (context encoder and index fixed, as in the paper);
 5. metrics on val / test (recall@5, exact match with RAG-Token, RAG-Sequence on the same weights,
    each with free and with copy decoding, the "not found" threshold on the unanswerable
    questions), written to DATA/hf/metrics.json (--evaluate-only: this step alone);
 6. save_pretrained checkpoints in DATA/hf/{rag-token,ctx-encoder}, passage embeddings.

Export and knowledge base: tools/export_rag.py and demo/scripts/build-kb.mjs (public/models/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from world_facts.data import REPO_DIR, Corpus, log  # noqa: E402

SPEC = {
    "seed": 17,
    "qv": 8000, "gv": 8000,
    "dpr": {"hidden": 128, "layers": 2, "heads": 4, "ffn": 512, "positions": 128},
    "bart": {"d_model": 128, "enc_layers": 3, "dec_layers": 2, "heads": 4, "ffn": 512, "positions": 256},
    "n_docs": 5, "max_combined_length": 256,
    # p_len: the context encoder reads title + the first ~40 words (the entity and what it is);
    # it is the tokenizer's model_max_length, so the TypeScript encoder truncates the same way.
    "dpr_train": {"batch": 32, "steps": 2500, "lr": 1e-3, "hard_k": 5, "q_len": 32, "p_len": 48,
                  "kind_shares": {"country": 0.3, "element": 0.15, "city": 0.55}},
    # Warm-up phases, each with its own cosine schedule (each restarts it lower).
    "warmup_train": [{"batch": 32, "steps": 1500, "lr": 1e-3, "guide_weight": 1.0},
                     {"batch": 32, "steps": 1500, "lr": 5e-4, "guide_weight": 1.0},
                     {"batch": 32, "steps": 2000, "lr": 4e-4, "guide_weight": 1.0},
                     # cities are 85 % of the training questions: countries' long passages need their own share
                     {"batch": 32, "steps": 1500, "lr": 5e-4, "guide_weight": 1.0,
                      "kind_shares": {"country": 0.45, "element": 0.2, "city": 0.35}}],
    "rag_train": {"batch": 8, "steps": 200, "lr": 1e-4, "q_lr": 2e-5},
}
QUICK = {"dpr_train": {"steps": 40}, "warmup_train": {"steps": 20}, "rag_train": {"steps": 10}}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(REPO_DIR, "fixtures/world-facts"))
    ap.add_argument("--seed", type=int, default=SPEC["seed"])
    ap.add_argument("--quick", action="store_true", help="a few steps of each stage (a smoke test, not the model)")
    ap.add_argument("--cache", help="keep each stage's result here and reuse it on the next run (iterating on a later stage)")
    ap.add_argument("--evaluate-only", action="store_true", help="no training: the metrics of the committed checkpoints, into DATA/hf/metrics.json")
    args = ap.parse_args(argv)
    spec = json.loads(json.dumps(SPEC))
    if args.quick:
        for k, v in QUICK.items():
            for part in spec[k] if isinstance(spec[k], list) else [spec[k]]:
                part.update(v)
    from world_facts.pipeline import reevaluate, run

    t0 = time.time()
    if args.evaluate_only:
        metrics = reevaluate(spec, Corpus(args.data), args.data)
    else:
        metrics = run(spec, Corpus(args.data), args.data, args.seed, args.cache)
    log(f"done in {time.time() - t0:.0f}s: {json.dumps(metrics['summary'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

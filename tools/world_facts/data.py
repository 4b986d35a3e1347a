"""The world-facts corpus and question splits, as tools/world_facts/build_kb.mjs writes them."""

from __future__ import annotations

import os
import re
import string
import sys

import numpy as np

TOOLS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_DIR = os.path.dirname(TOOLS_DIR)
if TOOLS_DIR not in sys.path:
    sys.path.insert(0, TOOLS_DIR)

from fixtures_lib.common import read_jsonl  # noqa: E402


def log(*a):
    print("[train_default]", *a, flush=True)


class Corpus:
    def __init__(self, data_dir):
        self.dir = data_dir
        self.passages = read_jsonl(os.path.join(data_dir, "passages.jsonl"))
        for i, p in enumerate(self.passages):
            if p["id"] != i:
                raise ValueError(f"passages.jsonl: id {p['id']} on line {i + 1}")
        self.qa = {s: read_jsonl(os.path.join(data_dir, f"qa-{s}.jsonl")) for s in ("train", "val", "test")}
        self.unanswerable = read_jsonl(os.path.join(data_dir, "qa-unanswerable.jsonl"))
        # Held-out entities' passages stay in the index but out of every training signal.
        self.trainable = [p["split"] == "train" for p in self.passages]
        # Cities outside the default (large/train-extra.jsonl): more names for the encoders and the
        # generator to learn matching and copying from; never in the index, never evaluated.
        extra = read_jsonl(os.path.join(data_dir, "large", "train-extra.jsonl"))
        n = len(self.passages)
        self.train_passages = self.passages + [{"id": n + j, "title": e["title"], "text": e["text"]} for j, e in enumerate(extra)]
        self.train_qa = self.qa["train"] + [{**q, "docId": n + j, "kind": "city"} for j, e in enumerate(extra) for q in e["qa"]]


def kind_weights(questions, shares):
    """Sampling weights giving each kind of entity a fixed share of the draws (None: uniform):
    cities outnumber countries and elements ten to one."""
    if not shares:
        return None
    kinds = np.array([q["kind"] for q in questions])
    w = np.zeros(len(questions))
    for kind, share in shares.items():
        w[kinds == kind] = share / max(1, int(np.sum(kinds == kind)))
    return w / w.sum()


def normalize_answer(s):
    """SQuAD's normalization (the one `rag eval` uses): lower case, no punctuation, no articles, single spaces."""
    s = s.lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation))
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def exact_match(prediction, answers):
    p = normalize_answer(prediction)
    return any(p == normalize_answer(a) for a in answers)

"""Small helpers shared by the fixture builder's modules."""

from __future__ import annotations

import os

import numpy as np

TOOLS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_DIR = os.path.dirname(TOOLS_DIR)


def log(*a):
    print("[make_fixtures]", *a, flush=True)


def r6(x):
    """Round floats (nested lists / arrays / tensors) to 6 decimals."""
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    if isinstance(x, np.ndarray):
        return np.round(x.astype(np.float64), 6).tolist()
    if isinstance(x, (list, tuple)):
        return [r6(v) for v in x]
    return round(float(x), 6)


def scalar(t):
    return float(t.detach().reshape(-1).sum().item())


def dir_size(path):
    total = 0
    for root, _, files in os.walk(path):
        for fn in files:
            total += os.path.getsize(os.path.join(root, fn))
    return total


def write_jsonl(path, rows):
    import json

    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def read_jsonl(path):
    import json

    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]

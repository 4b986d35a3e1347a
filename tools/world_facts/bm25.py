"""BM25 (k1 1.2, b 0.75) over the passages' titles and texts: the lexical hard negatives of DPR."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

WORD = re.compile(r"\w+", re.UNICODE)


def words(s):
    return WORD.findall(s.lower())


class BM25:
    def __init__(self, docs, k1=1.2, b=0.75):
        tf = [Counter(words(d)) for d in docs]
        self.vocab = {w: i for i, w in enumerate(sorted({w for c in tf for w in c}))}
        lengths = np.array([sum(c.values()) for c in tf], dtype=np.float32)
        norm = k1 * (1 - b + b * lengths / lengths.mean())
        df = Counter(w for c in tf for w in c)
        n = len(docs)
        # term-major weights: a query's scores are the sum of its terms' rows
        self.weights = np.zeros((len(self.vocab), n), dtype=np.float32)
        for j, c in enumerate(tf):
            for w, f in c.items():
                idf = math.log(1 + (n - df[w] + 0.5) / (df[w] + 0.5))
                self.weights[self.vocab[w], j] = idf * f * (k1 + 1) / (f + norm[j])

    def scores(self, query):
        ids = [self.vocab[w] for w in set(words(query)) if w in self.vocab]
        return self.weights[ids].sum(0) if ids else np.zeros(self.weights.shape[1], dtype=np.float32)

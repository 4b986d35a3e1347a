"""DPR bi-encoder training: question and context encoders, in-batch negatives plus one BM25 hard
negative per question (Karpukhin et al. 2020), on the training entities only."""

from __future__ import annotations

import math
import time

import numpy as np

from .bm25 import BM25
from .data import kind_weights, log


def bm25_hard_negatives(corpus, questions, k):
    """For each training question, the k best BM25 passages that are trainable and not its own."""
    bm = BM25([p["title"] + " " + p["text"] for p in corpus.passages])
    allowed = np.array(corpus.trainable)
    out = []
    for q in questions:
        s = bm.scores(q["question"])
        s[~allowed] = -np.inf
        if q["docId"] < len(s):
            s[q["docId"]] = -np.inf
        out.append(np.argpartition(-s, k)[:k].tolist())
    return out


def pad_batch(torch, rows):
    """rows: (input_ids, token_type_ids) pairs -> padded ids, mask, type ids."""
    T = max(len(r[0]) for r in rows)
    ids = torch.zeros((len(rows), T), dtype=torch.long)
    mask = torch.zeros((len(rows), T), dtype=torch.long)
    types = torch.zeros((len(rows), T), dtype=torch.long)
    for i, (r, t) in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
        mask[i, : len(r)] = 1
        types[i, : len(t)] = torch.tensor(t)
    return ids, mask, types


def encode(tok, texts, pairs=None, max_length=None):
    """(input_ids, token_type_ids) rows as the tokenizer gives them: DPR's (title, text) pairs carry
    segment ids, as DPRContextEncoderTokenizer and the TypeScript encoder pass them."""
    enc = tok(texts, pairs, truncation=True, max_length=max_length) if pairs is not None else tok(texts, truncation=True, max_length=max_length)
    return list(zip(enc["input_ids"], enc["token_type_ids"]))


def encode_passages(tok, passages, max_length):
    return encode(tok, [p["title"] for p in passages], [p["text"] for p in passages], max_length)


def pooled(encoder, batch):
    ids, mask, types = batch
    return encoder(ids, attention_mask=mask, token_type_ids=types, return_dict=True).pooler_output


def embed(torch, encoder, rows, batch=128):
    """Pooled outputs (DPR: the [CLS] state) of pre-tokenized rows, in order."""
    encoder.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(rows), batch):
            out.append(pooled(encoder, pad_batch(torch, rows[i : i + batch])))
    return torch.cat(out).numpy().astype(np.float32)


def train_dpr(torch, qenc, cenc, qtok, ctok, corpus, spec, seed):
    train = corpus.train_qa
    t0 = time.time()
    hard = bm25_hard_negatives(corpus, train, spec["hard_k"])
    log(f"dpr: BM25 hard negatives for {len(train)} questions ({time.time() - t0:.1f}s)")
    q_rows = encode(qtok, [q["question"] for q in train], max_length=spec["q_len"])
    p_rows = encode_passages(ctok, corpus.train_passages, spec["p_len"])
    gold = np.array([q["docId"] for q in train])
    weight = kind_weights(train, spec["kind_shares"])
    g = np.random.default_rng(seed)
    # One encoder for both sides (a siamese start): identical names get identical vectors from the
    # first step, which trains from scratch where two random towers collapse; the towers are split
    # afterwards and only the question side moves on (RAG fine-tuning).
    params = list(qenc.parameters())
    opt = torch.optim.AdamW(params, lr=spec["lr"], weight_decay=0.01)
    B, steps = spec["batch"], spec["steps"]
    warmup = max(1, steps // 20)
    qenc.train()
    running, t0 = [], time.time()
    for step in range(steps):
        lr = spec["lr"] * min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * step / steps))
        for grp in opt.param_groups:
            grp["lr"] = lr
        # B questions about B different passages; each brings its passage and one hard negative.
        picked, seen = [], set()
        for i in g.choice(len(train), 4 * B, p=weight):
            if gold[i] not in seen:
                seen.add(gold[i])
                picked.append(i)
                if len(picked) == B:
                    break
        docs = [int(gold[i]) for i in picked] + [int(g.choice(hard[i])) for i in picked]
        q = pooled(qenc, pad_batch(torch, [q_rows[i] for i in picked]))
        c = pooled(qenc, pad_batch(torch, [p_rows[d] for d in docs]))
        s = q @ c.T
        doc_t = torch.tensor(docs)
        # A hard negative that is another question's passage is a copy of a positive column.
        same = doc_t.unsqueeze(0) == torch.tensor([int(gold[i]) for i in picked]).unsqueeze(1)
        same[torch.arange(len(picked)), torch.arange(len(picked))] = False
        loss = torch.nn.functional.cross_entropy(s.masked_fill(same, float("-inf")), torch.arange(len(picked)))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 2.0)
        opt.step()
        running.append(float(loss.item()))
        if (step + 1) % 50 == 0 or step + 1 == steps:
            log(f"dpr: step {step + 1}/{steps} loss {np.mean(running):.4f} lr {lr:.2e} ({time.time() - t0:.0f}s)")
            running = []
    qenc.eval()
    cenc.ctx_encoder.bert_model.load_state_dict(qenc.question_encoder.bert_model.state_dict())
    cenc.eval()


def top_docs(emb, q_vecs, n):
    """Exact inner-product top n, ties to the lower id (as the retriever package and transformers)."""
    s = q_vecs @ emb.T
    ids = np.argsort(-s.astype(np.float64), axis=1, kind="stable")[:, :n]
    return ids, np.take_along_axis(s, ids, 1)


def recall_at(emb, q_vecs, gold, k):
    """Fraction of questions whose own passage is in the exact inner-product top k (all passages)."""
    top, _ = top_docs(emb, q_vecs, k)
    return float(np.mean([g in row for g, row in zip(gold, top)]))

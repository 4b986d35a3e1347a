"""Training of the tiny cases: question encoder (DPR-style) and generator (RAG-Token loss)."""

from __future__ import annotations

import time

import numpy as np

from .common import log
from .retrieval import top_docs


def train_question_encoder(torch, qenc, qtok, questions, q_titles, passages, emb, spec, seed):
    """DPR-style training of the question encoder against the fixed passage
    embeddings of the random context encoder: a question about topic T should
    score T's passages highest.  Without it, random encoders retrieve the same
    few "hub" passages for every question."""
    steps, B = spec["q_steps"], 32
    E = torch.from_numpy(emb)
    by_title = {}
    for p in passages:
        by_title.setdefault(p["title"], []).append(int(p["id"]))
    pos = torch.zeros(len(questions), len(passages), dtype=torch.bool)
    for i, t in enumerate(q_titles):
        pos[i, by_title[t]] = True
    enc = qtok(questions, padding=True, return_tensors="pt")
    params = list(qenc.parameters())
    opt = torch.optim.AdamW(params, lr=spec["q_lr"], weight_decay=0.0)
    g = torch.Generator().manual_seed(seed + 5)
    qenc.train()
    t0, running = time.time(), []
    for step in range(steps):
        idx = torch.randint(0, len(questions), (B,), generator=g)
        q = qenc(enc["input_ids"][idx], attention_mask=enc["attention_mask"][idx], return_dict=True).pooler_output
        s = q @ E.T
        loss = (torch.logsumexp(s, -1) - torch.logsumexp(s.masked_fill(~pos[idx], float("-inf")), -1)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        running.append(float(loss.item()))
        if (step + 1) % 100 == 0 or step + 1 == steps:
            log(f"  question encoder step {step + 1}/{steps} loss {np.mean(running):.4f} ({time.time() - t0:.1f}s)")
            running = []
    qenc.eval()
    hits = 0
    with torch.no_grad():
        for i, qtext in enumerate(questions):
            e = qtok(qtext, return_tensors="pt")
            v = qenc(e["input_ids"], attention_mask=e["attention_mask"], return_dict=True).pooler_output[0].numpy()
            ids, _ = top_docs(emb, v, 1)
            hits += bool(pos[i, ids[0]])
    acc = round(hits / len(questions), 4)
    log(f"  question encoder top-1 topic accuracy {acc}")
    return acc


def train_generator(torch, model, items, spec, seed, gcfg):
    """RAG-Token loss, generator only (question encoder frozen: the index and
    the retrieval stay those of the random encoders)."""
    import math

    n_docs, B, steps = spec["n_docs"], spec["batch"], spec["steps"]
    gen = model.rag.generator
    for p in model.rag.question_encoder.parameters():
        p.requires_grad_(False)
    params = [p for p in gen.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=spec["lr"], betas=(0.9, 0.98), weight_decay=0.0)
    g = torch.Generator().manual_seed(seed)
    ctx_ids = torch.stack([it["ctx_ids"] for it in items])  # (N, n_docs, L)
    ctx_mask = torch.stack([it["ctx_mask"] for it in items])
    scores = torch.cat([it["scores"] for it in items])  # (N, n_docs)
    pad = gcfg.pad_token_id
    start = gcfg.decoder_start_token_id
    model.train()
    model.rag.question_encoder.eval()
    t0 = time.time()
    curve, running = [], []
    warmup = max(1, steps // 15)
    for step in range(steps):
        lr = spec["lr"] * min(1.0, (step + 1) / warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / steps)))
        for grp in opt.param_groups:
            grp["lr"] = lr
        idx = torch.randint(0, len(items), (B,), generator=g)
        use_start = torch.rand(B, generator=g) < 0.5
        seqs = []
        for j, i in enumerate(idx.tolist()):
            lab = list(items[i]["labels"])
            if use_start[j]:
                lab[0] = start  # what generate() feeds first
            seqs.append(lab)
        T = max(len(s) for s in seqs)
        labels = torch.full((B, T), pad, dtype=torch.long)
        for j, s in enumerate(seqs):
            labels[j, : len(s)] = torch.tensor(s)
        out = model(
            context_input_ids=ctx_ids[idx].reshape(B * n_docs, -1),
            context_attention_mask=ctx_mask[idx].reshape(B * n_docs, -1),
            doc_scores=scores[idx],
            labels=labels,
            n_docs=n_docs,
            reduce_loss=False,
        )
        n_tok = (labels[:, 1:] != pad).sum().clamp(min=1)
        loss = out.loss.sum() / n_tok
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        running.append(float(loss.item()))
        if (step + 1) % 100 == 0 or step + 1 == steps:
            curve.append([step + 1, round(float(np.mean(running)), 4)])
            log(f"  step {step + 1}/{steps} loss/token {np.mean(running):.4f} lr {lr:.2e} ({time.time() - t0:.1f}s)")
            running = []
    model.eval()
    return curve

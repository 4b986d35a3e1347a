"""Generator training: a warm-up on the gold passage alone, then RAG-Token over retrieved passages,
question encoder and generator together (context encoder and index fixed)."""

from __future__ import annotations

import math
import time

import numpy as np

from .contexts import answer_ids, pad_labels, question_strings, tokenize_contexts
from .data import kind_weights, log


def cosine_lr(base, step, steps):
    warmup = max(1, steps // 20)
    return base * min(1.0, (step + 1) / warmup) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * step / steps)))


def answer_positions(ctx_ids, answer):
    """Where the answer's tokens stand in the context's text (after " / "): the first occurrence."""
    n = len(answer)
    for p in range(len(ctx_ids) - n + 1):
        if ctx_ids[p : p + n] == answer:
            return p
    return -1


def warm_up_generator(torch, model, qtok, gtok, cfg, corpus, spec, seed):
    """BART's own loss on (gold passage // question -> answer): the generator learns to read one
    passage. Plus guided attention (training only): the last decoder layer's cross-attention, averaged
    over heads, is pulled onto the passage token each answer token copies. From scratch, a generator
    that must find the answer's place from the question at the end of its input sits for thousands
    of steps as a language model over answers; told where to look, it learns to copy in hundreds."""
    train = corpus.train_qa
    qstr = question_strings(qtok, [q["question"] for q in train])
    labels = [answer_ids(gtok, q["answers"][0]) for q in train]
    gen = model.rag.generator
    params = [p for p in gen.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=spec["lr"], betas=(0.9, 0.98), weight_decay=0.01)
    g = np.random.default_rng(seed + 1)
    weight = kind_weights(train, spec.get("kind_shares"))
    gen.train()
    curve, running, t0 = [], [], time.time()
    for step in range(spec["steps"]):
        for grp in opt.param_groups:
            grp["lr"] = cosine_lr(spec["lr"], step, spec["steps"])
        idx = g.choice(len(train), spec["batch"], replace=False, p=weight)
        ids, mask = tokenize_contexts(torch, cfg, gtok, corpus.train_passages, [[train[i]["docId"]] for i in idx], [qstr[i] for i in idx])
        lab = pad_labels(torch, [labels[i] for i in idx], -100)
        out = gen(input_ids=ids, attention_mask=mask, labels=lab, output_attentions=True, return_dict=True)
        attn = out.cross_attentions[-1].mean(1)  # (B, T_dec, T_enc)
        rows, cols, steps_ = [], [], []
        for b, i in enumerate(idx):
            ans = labels[i][:-1]
            p = answer_positions(ids[b].tolist(), ans)
            if p >= 0:
                rows += [b] * len(ans)
                steps_ += list(range(len(ans)))
                cols += list(range(p, p + len(ans)))
        guide = -torch.log(attn[rows, steps_, cols] + 1e-6).mean() if rows else torch.zeros(())
        loss = out.loss + spec["guide_weight"] * guide
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        running.append((float(out.loss.item()), float(guide.item())))
        if (step + 1) % 100 == 0 or step + 1 == spec["steps"]:
            lm, gd = np.mean(np.array(running), axis=0)
            curve.append([step + 1, round(float(lm), 4), round(float(gd), 4)])
            log(f"warm-up: step {step + 1}/{spec['steps']} loss/token {lm:.4f} guide {gd:.4f} ({time.time() - t0:.0f}s)")
            running = []
    gen.eval()
    return curve


def train_rag(torch, model, qtok, gtok, cfg, corpus, emb, spec, seed):
    """RagTokenForGeneration's loss over the top n_docs of the fixed index (held-out entities' passages
    masked out), gradients into the generator and, through doc_scores, the question encoder."""
    train = corpus.qa["train"]
    n_docs = cfg.n_docs
    qstr = question_strings(qtok, [q["question"] for q in train])
    labels = [[cfg.generator.decoder_start_token_id] + answer_ids(gtok, q["answers"][0]) for q in train]
    E = torch.from_numpy(emb)
    hidden = torch.tensor([not t for t in corpus.trainable])
    qenc = model.rag.question_encoder
    opt = torch.optim.AdamW([
        {"params": list(model.rag.generator.parameters()), "lr": spec["lr"], "base": spec["lr"]},
        {"params": list(qenc.parameters()), "lr": spec["q_lr"], "base": spec["q_lr"]},
    ], betas=(0.9, 0.98), weight_decay=0.01)
    g = np.random.default_rng(seed + 2)
    model.train()
    curve, running, hits, t0 = [], [], [], time.time()
    for step in range(spec["steps"]):
        for grp in opt.param_groups:
            grp["lr"] = cosine_lr(grp["base"], step, spec["steps"])
        idx = g.choice(len(train), spec["batch"], replace=False)
        q = qtok([train[i]["question"] for i in idx], padding=True, truncation=True, return_tensors="pt")
        pooled = qenc(q["input_ids"], attention_mask=q["attention_mask"], token_type_ids=torch.zeros_like(q["input_ids"]), return_dict=True).pooler_output
        with torch.no_grad():
            top = (pooled @ E.T).masked_fill(hidden, float("-inf")).topk(n_docs, dim=1).indices
        doc_scores = torch.bmm(pooled.unsqueeze(1), E[top].transpose(1, 2)).squeeze(1)
        ids, mask = tokenize_contexts(torch, cfg, gtok, corpus.passages, top.tolist(), [qstr[i] for i in idx])
        lab = pad_labels(torch, [labels[i] for i in idx], cfg.generator.pad_token_id)
        out = model(context_input_ids=ids, context_attention_mask=mask, doc_scores=doc_scores, labels=lab, n_docs=n_docs, reduce_loss=False)
        loss = out.loss.sum() / (lab[:, 1:] != cfg.generator.pad_token_id).sum()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        running.append(float(loss.item()))
        hits += [train[i]["docId"] in row for i, row in zip(idx, top.tolist())]
        if (step + 1) % 25 == 0 or step + 1 == spec["steps"]:
            curve.append([step + 1, round(float(np.mean(running)), 4)])
            log(f"rag: step {step + 1}/{spec['steps']} loss/token {np.mean(running):.4f} gold in top {n_docs} {np.mean(hits):.3f} ({time.time() - t0:.0f}s)")
            running, hits = [], []
    model.eval()
    return curve

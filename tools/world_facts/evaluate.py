"""Metrics of a saved checkpoint, by transformers' own RAG classes: recall@k, exact match (RAG-Token,
and RAG-Sequence on the same weights), and the "not found in the knowledge base" threshold."""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np

from fixtures_lib.copy_constraint import copy_constraint, special_ids_of

from .contexts import question_strings, tokenize_contexts
from .data import exact_match, log, normalize_answer
from .dpr import top_docs

K = 5
SEQUENCE_SAMPLE = 200
# The demo says "not found" below the threshold; it is the top doc probability that lets through
# this fraction of the validation split's (answerable) questions.
KEEP_ANSWERABLE = 0.98


def answer_in(passage, answers):
    """`rag eval`'s recall: a normalized answer occurs as whole words in the normalized title + text."""
    hay = f" {normalize_answer(passage['title'] + ' ' + passage['text'])} "
    return any(f" {normalize_answer(a)} " in hay for a in answers if normalize_answer(a))


def retrieve(torch, model, qtok, questions, emb, n):
    with torch.no_grad():
        vecs = []
        for i in range(0, len(questions), 256):
            q = qtok(questions[i : i + 256], padding=True, truncation=True, return_tensors="pt")
            vecs.append(model.rag.question_encoder(q["input_ids"], attention_mask=q["attention_mask"], return_dict=True).pooler_output.numpy())
    return top_docs(emb, np.concatenate(vecs), n)


def generate(torch, model, gtok, cfg, passages, ids, scores, qstr, batch=64, copy=False, **kw):
    """Generated answers; `copy`: copy decoding (fixtures_lib/copy_constraint.py), the demo's and
    `rag ask`'s default for this model. RAG-Sequence runs the generator per question over its
    documents, so there a batch item of the constraint is one document (and `batch` must be 1)."""
    out = []
    n = cfg.n_docs
    sequence = type(model).__name__ == "RagSequenceForGeneration"
    with torch.no_grad():
        for i in range(0, len(qstr), batch):
            cids, cmask = tokenize_contexts(torch, cfg, gtok, passages, ids[i : i + batch].tolist(), qstr[i : i + batch])
            if copy:
                rows = cids.tolist()
                items = [[r] for r in rows] if sequence else [rows[b * n : (b + 1) * n] for b in range(len(rows) // n)]
                g = cfg.generator
                kw["prefix_allowed_tokens_fn"] = copy_constraint(gtok, items, special_ids_of(g), g.eos_token_id)
            seqs = model.generate(context_input_ids=cids, context_attention_mask=cmask,
                                  doc_scores=torch.from_numpy(scores[i : i + batch]), n_docs=n, **kw)
            out += [s.strip() for s in gtok.batch_decode(seqs, skip_special_tokens=True)]
    return out


def softmax_top(scores):
    e = np.exp(scores - scores.max(1, keepdims=True))
    return e[:, 0] / e.sum(1)


def evaluate(torch, rag_dir, corpus, emb, spec):
    from transformers import RagSequenceForGeneration, RagTokenForGeneration, RagTokenizer

    tok = RagTokenizer.from_pretrained(rag_dir)
    qtok, gtok = tok.question_encoder, tok.generator
    model = RagTokenForGeneration.from_pretrained(rag_dir).eval()
    cfg = model.config
    n = cfg.n_docs
    res, top_prob = {}, {}
    for split in ("val", "test"):
        t0 = time.time()
        qa = corpus.qa[split]
        questions = [q["question"] for q in qa]
        ids, scores = retrieve(torch, model, qtok, questions, emb, max(n, K))
        qstr = question_strings(qtok, questions)
        top_prob[split] = softmax_top(scores[:, :n])
        res[split] = {
            "questions": len(qa),
            "recall_at_5_gold_passage": round(float(np.mean([q["docId"] in row for q, row in zip(qa, ids[:, :K].tolist())])), 4),
            "recall_at_5_answer_string": round(float(np.mean([any(answer_in(corpus.passages[d], q["answers"]) for d in row) for q, row in zip(qa, ids[:, :K].tolist())])), 4),
        }
        # Free decoding (the generator alone) and copy decoding (answers are spans of the contexts).
        for name, copy in (("", False), ("_copy", True)):
            preds = generate(torch, model, gtok, cfg, corpus.passages, ids[:, :n], scores[:, :n], qstr, copy=copy, num_beams=1)
            em = [exact_match(p, q["answers"]) for p, q in zip(preds, qa)]
            by_rel = defaultdict(list)
            for e, q in zip(em, qa):
                by_rel[f"{q['kind']}.{q['relation']}"].append(e)
            res[split].update({
                f"exact_match_token_greedy{name}": round(float(np.mean(em)), 4),
                f"exact_match_by_relation{name}": {k: round(float(np.mean(v)), 3) for k, v in sorted(by_rel.items())},
                f"errors{name}": [{"question": q["question"], "answers": q["answers"], "prediction": p} for p, q, e in zip(preds, qa, em) if not e][:25],
            })
        log(f"eval {split}: {len(qa)} questions, recall@5 {res[split]['recall_at_5_gold_passage']}, EM {res[split]['exact_match_token_greedy']}, "
            f"with copy decoding {res[split]['exact_match_token_greedy_copy']} ({time.time() - t0:.0f}s)")

    # RAG-Sequence ("thorough decoding", beam 4) on the same weights, a fixed sample of the test split.
    t0 = time.time()
    seq = RagSequenceForGeneration.from_pretrained(rag_dir).eval()
    qa = corpus.qa["test"][::max(1, len(corpus.qa["test"]) // SEQUENCE_SAMPLE)][:SEQUENCE_SAMPLE]
    questions = [q["question"] for q in qa]
    ids, scores = retrieve(torch, seq, qtok, questions, emb, n)
    res["test_rag_sequence_beam4_sample"] = {"questions": len(qa)}
    for name, copy in (("exact_match", False), ("exact_match_copy", True)):
        preds = generate(torch, seq, gtok, cfg, corpus.passages, ids, scores, question_strings(qtok, questions), batch=1, copy=copy, num_beams=4)
        res["test_rag_sequence_beam4_sample"][name] = round(float(np.mean([exact_match(p, q["answers"]) for p, q in zip(preds, qa)])), 4)
    log(f"eval RAG-Sequence beam 4: {res['test_rag_sequence_beam4_sample']} ({time.time() - t0:.0f}s)")

    threshold = float(np.quantile(top_prob["val"], 1 - KEEP_ANSWERABLE))
    un = corpus.unanswerable
    _, un_scores = retrieve(torch, model, qtok, [q["question"] for q in un], emb, n)
    un_prob = softmax_top(un_scores)
    by_reason = defaultdict(list)
    for p, q in zip(un_prob, un):
        by_reason[q["reason"]].append(bool(p < threshold))
    res["not_found"] = {
        "threshold_top_doc_probability": round(threshold, 4),
        "unanswerable_flagged": round(float(np.mean(un_prob < threshold)), 4),
        "unanswerable_flagged_by_reason": {k: round(float(np.mean(v)), 4) for k, v in by_reason.items()},
        "test_answerable_flagged": round(float(np.mean(top_prob["test"] < threshold)), 4),
    }
    log(f"eval not found: {res['not_found']}")
    res["summary"] = {
        "test_recall_at_5": res["test"]["recall_at_5_gold_passage"],
        "test_exact_match_copy": res["test"]["exact_match_token_greedy_copy"],
        "test_exact_match_free": res["test"]["exact_match_token_greedy"],
        "test_rag_sequence_exact_match_copy": res["test_rag_sequence_beam4_sample"]["exact_match_copy"],
        "test_rag_sequence_exact_match_free": res["test_rag_sequence_beam4_sample"]["exact_match"],
        "not_found_threshold": res["not_found"]["threshold_top_doc_probability"],
        "unanswerable_flagged": res["not_found"]["unanswerable_flagged"],
    }
    return res

"""reference.json: values computed by transformers' RAG classes (CPU, float32, eval mode)."""

from __future__ import annotations

from .common import log, r6, scalar
from .generation import batch_decode, content_tokens, is_degenerate, run_setting
from .retrieval import postprocess, retriever_call, top_docs
from .specs import BATCH2_SETTINGS, settings_for


def compute_reference(name, rag_dir, ctx_dir, case_dir, passages, emb, questions, answers, config_info,
                      versions):
    import torch
    from transformers import RagSequenceForGeneration, RagTokenForGeneration, RagTokenizer

    model = RagTokenForGeneration.from_pretrained(rag_dir).eval()
    seq_model = RagSequenceForGeneration.from_pretrained(rag_dir).eval()
    rtok = RagTokenizer.from_pretrained(rag_dir)
    qtok, gtok = rtok.question_encoder, rtok.generator
    cfg = model.config
    n_docs = cfg.n_docs
    special = set(gtok.all_special_ids)
    per_question, batch_ctx = [], []
    with torch.no_grad():
        for qi, (q, a) in enumerate(zip(questions, answers)):
            enc = qtok(q, return_tensors="pt")
            pooled = model.rag.question_encoder(enc["input_ids"], attention_mask=enc["attention_mask"],
                                                return_dict=True).pooler_output
            doc_ids, gap = top_docs(emb, pooled[0].numpy(), n_docs)
            doc_emb = torch.from_numpy(emb[doc_ids]).unsqueeze(0)
            doc_scores = torch.bmm(pooled.unsqueeze(1), doc_emb.transpose(1, 2)).squeeze(1)
            qstr = batch_decode(qtok, enc["input_ids"])[0]
            strings, cids, cmask = postprocess(cfg, gtok, passages, doc_ids, qstr, n_docs, torch)
            check_retriever_call(cfg, qtok, gtok, passages, emb, enc["input_ids"].tolist(), pooled.numpy(),
                                 [doc_ids], strings, cids, cmask, torch)
            labels = gtok(a, return_tensors="pt")["input_ids"]
            common = dict(context_input_ids=cids, context_attention_mask=cmask, doc_scores=doc_scores,
                          n_docs=n_docs)
            tok_out = model(labels=labels, **common)
            tok_red = model(labels=labels, reduce_loss=True, **common).loss
            model.config.label_smoothing = 0.1
            tok_smooth = model(labels=labels, reduce_loss=True, **common).loss
            model.config.label_smoothing = 0.0
            marg = model(decoder_input_ids=labels, do_marginalize=True, **common).logits[0, -1]
            seq_loss = seq_model(labels=labels, **common).loss
            seq_red = seq_model(labels=labels, reduce_loss=True, **common).loss
            seq_excl = seq_model(labels=labels, exclude_bos_score=True, reduce_loss=True, **common).loss
            seq_model.config.label_smoothing = 0.1
            seq_smooth = seq_model(labels=labels, reduce_loss=True, **common).loss
            seq_model.config.label_smoothing = 0.0
            gens, texts = {}, {}
            for s, _, _ in settings_for(name):
                gens[s] = run_setting(s, model, seq_model, cids, cmask, doc_scores, n_docs)
                texts[s] = batch_decode(gtok, gens[s])
            pq = {
                "question": q,
                "question_input_ids": enc["input_ids"][0].tolist(),
                "question_pooled": r6(pooled[0]),
                "doc_ids": doc_ids,
                "doc_scores": r6(doc_scores[0]),
                "retrieval_min_gap": round(gap, 6),
                "context_strings": strings,
                "context_input_ids": cids.tolist(),
                "context_attention_mask": cmask.tolist(),
                "labels": labels[0].tolist(),
                "token_loss": round(scalar(tok_out.loss), 6),
            }
            if qi < 2:
                pq["generator_logits"] = r6(tok_out.logits)
            pq.update({
                "token_loss_reduced": round(scalar(tok_red), 6),
                "token_loss_smooth01": round(scalar(tok_smooth), 6),
                "token_marginalized_logits_last": r6(marg),
                "seq_loss": round(scalar(seq_loss), 6),
                "seq_loss_reduced": round(scalar(seq_red), 6),
                "seq_loss_excl_bos_reduced": round(scalar(seq_excl), 6),
                "seq_loss_smooth01": round(scalar(seq_smooth), 6),
                "generate": gens,
                "generate_text": texts,
            })
            per_question.append(pq)
            batch_ctx.append((cids, cmask, doc_scores))

        # first two questions as one batch
        enc2 = qtok(questions[:2], padding=True, return_tensors="pt")
        pooled2 = model.rag.question_encoder(enc2["input_ids"], attention_mask=enc2["attention_mask"],
                                             return_dict=True).pooler_output
        cids2 = torch.cat([c for c, _, _ in batch_ctx[:2]])
        cmask2 = torch.cat([m for _, m, _ in batch_ctx[:2]])
        ds2 = torch.cat([d for _, _, d in batch_ctx[:2]])
        b2_gen, b2_text = {}, {}
        for s in BATCH2_SETTINGS:
            b2_gen[s] = run_setting(s, model, seq_model, cids2, cmask2, ds2, n_docs)
            b2_text[s] = batch_decode(gtok, b2_gen[s])

    all_seqs = [x for pq in per_question for v in pq["generate"].values() for x in v]
    all_seqs += [x for v in b2_gen.values() for x in v]
    ref = {
        "case": name,
        "config": config_info,
        "questions": list(questions),
        "answers": list(answers),
        "per_question": per_question,
        "batch2_question_input_ids": enc2["input_ids"].tolist(),
        "batch2_question_attention_mask": enc2["attention_mask"].tolist(),
        "batch2_question_pooled": r6(pooled2),
        "batch2_generate": {"generate": b2_gen, "generate_text": b2_text},
        "degenerate_sequences": sum(is_degenerate(x, special) for x in all_seqs),
        "empty_sequences": sum(len(content_tokens(x, special)) == 0 for x in all_seqs),
        "greedy_ne_beam": sum(pq["generate"]["token_greedy_len12"] != pq["generate"]["token_beam3_len12"]
                              for pq in per_question),
        "norepeat_changed": sum(pq["generate"]["token_beam2_min6_len10"]
                                != pq["generate"]["token_beam2_min6_len10_norepeat2"] for pq in per_question),
        "versions": versions,
    }
    return ref


def check_requirements(name, ref):
    problems = []
    if ref["greedy_ne_beam"] < 1:
        problems.append("greedy and beam search agree on every question")
    if ref["norepeat_changed"] < 1:
        problems.append("no_repeat_ngram_size=2 changes no output")
    if ref["degenerate_sequences"] > 0:
        problems.append(f"{ref['degenerate_sequences']} generated sequences are one token repeated")
    if problems:
        raise AssertionError(f"{name}: " + "; ".join(problems))
    log(f"{name}: requirements met: greedy!=beam on {ref['greedy_ne_beam']} questions, no_repeat changes "
        f"{ref['norepeat_changed']}, degenerate 0, empty {ref['empty_sequences']}")


def check_retriever_call(cfg, qtok, gtok, passages, emb, question_input_ids, pooled, doc_ids, strings, cids, cmask,
                         torch):
    """RagRetriever.__call__ (default prefix: config.generator.prefix) gives the same doc ids,
    context strings and ids as the per-question path above."""
    try:
        got = retriever_call(cfg, qtok, gtok, passages, emb, question_input_ids, pooled)
    except (ImportError, AttributeError, TypeError) as exc:
        log(f"WARN RagRetriever.__call__ not usable ({type(exc).__name__}: {exc}); not cross-checked")
        return
    ids, hf_strings, hf_cids, hf_cmask = got
    if ids != doc_ids or hf_strings != strings or not (torch.equal(hf_cids, cids) and torch.equal(hf_cmask, cmask)):
        raise AssertionError(f"RagRetriever.__call__ differs: {ids} vs {doc_ids}, {hf_strings[:1]} vs {strings[:1]}")

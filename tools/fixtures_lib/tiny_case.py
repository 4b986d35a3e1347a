"""A trained tiny case (tiny-a, tiny-b): corpus, tokenizers, models, questions, reference, export."""

from __future__ import annotations

import json
import os
import shutil
import time

import numpy as np

from .common import log, write_jsonl
from .corpus import build_passages, load_topics
from .export import run_export
from .generation import batch_decode, content_tokens, is_degenerate, run_setting
from .reference import check_requirements, compute_reference
from .retrieval import embed_passages, postprocess, top_docs
from .specs import MAX_ATTEMPTS, settings_for
from .tokenizers_train import class_or_fast, make_bpe_hf, make_wordpiece_hf, train_bpe, train_wordpiece
from .training import train_generator, train_question_encoder


def build_tiny_case(name, spec, out_dir, args, versions):
    import torch
    import transformers
    from transformers import (BartConfig, DPRConfig, DPRContextEncoder, RagConfig, RagSequenceForGeneration,
                              RagTokenForGeneration, RagTokenizer)

    t_case = time.time()
    case_dir = os.path.join(out_dir, name)
    if os.path.isdir(case_dir):
        shutil.rmtree(case_dir)
    hf_dir = os.path.join(case_dir, "hf")
    os.makedirs(hf_dir)
    seed = spec["seed"]
    n_docs, mcl = spec["n_docs"], spec["mcl"]

    # ---- corpus ---------------------------------------------------------------
    topics, topics_src = load_topics()
    passages = build_passages(topics, spec["words"], spec["max_chunks"], spec["max_passages"])
    log(f"{name}: {len(passages)} passages from {topics_src} ({len(topics)} topics)")
    write_jsonl(os.path.join(case_dir, "passages.jsonl"), passages)
    titles = sorted({p["title"] for p in passages})
    q_titles = [t for _ in spec["templates"] for t in titles]
    questions_all = [tpl.format(t=t) for tpl in spec["templates"] for t in titles]

    # ---- tokenizers -----------------------------------------------------------
    texts = [p["title"] + " " + p["text"] for p in passages] + questions_all
    raw_wp = train_wordpiece(texts, spec["qv"])
    raw_bpe = train_bpe(texts, spec["gv"])
    samples = questions_all[:20] + [p["text"][:300] for p in passages[:20]]
    pairs = [(p["title"], p["text"]) for p in passages[:5]]
    qtok = make_wordpiece_hf(class_or_fast(transformers, "DPRQuestionEncoderTokenizer"), raw_wp, samples, pairs)
    ctok = make_wordpiece_hf(class_or_fast(transformers, "DPRContextEncoderTokenizer"), raw_wp, samples, pairs)
    gtok = make_bpe_hf(class_or_fast(transformers, "BartTokenizer"), raw_bpe, samples)
    qv, gv = len(raw_wp.get_vocab()), len(raw_bpe.get_vocab())
    log(f"{name}: vocab sizes question/ctx {qv}, generator {gv}")

    # ---- configs ----------------------------------------------------------------
    def dpr_config():
        return DPRConfig(
            vocab_size=qv, hidden_size=spec["qh"], num_hidden_layers=spec["ql"],
            num_attention_heads=spec["qheads"], intermediate_size=spec["q_ffn"], max_position_embeddings=128,
            initializer_range=spec["init"], projection_dim=0, pad_token_id=0,
        )

    gcfg = BartConfig(
        vocab_size=gv, d_model=spec["gd"], encoder_layers=spec["gel"], decoder_layers=spec["gdl"],
        encoder_attention_heads=spec["gheads"], decoder_attention_heads=spec["gheads"],
        encoder_ffn_dim=spec["g_ffn"], decoder_ffn_dim=spec["g_ffn"], max_position_embeddings=128,
        dropout=0.1, attention_dropout=0.0, activation_dropout=0.0, init_std=spec["g_init"],
        pad_token_id=1, bos_token_id=0, eos_token_id=2, decoder_start_token_id=2, forced_eos_token_id=2,
        scale_embedding=False,
    )
    rag_cfg = RagConfig.from_question_encoder_generator_configs(
        dpr_config(), gcfg, n_docs=n_docs, max_combined_length=mcl, index_name="custom",
        retrieval_vector_size=spec["qh"],
    )

    # ---- context encoder + index (fixed for all attempts) -------------------------
    torch.manual_seed(seed + 7)
    ctx_model = DPRContextEncoder(dpr_config()).eval()
    emb = embed_passages(torch, ctx_model, ctok, passages)
    np.save(os.path.join(case_dir, "passage_embeddings.npy"), emb)

    special = set(gtok.all_special_ids)
    attempt_log = []
    chosen = None
    for attempt in range(MAX_ATTEMPTS):
        a_seed = seed + 1000 * attempt
        torch.manual_seed(a_seed)
        model = RagTokenForGeneration(config=rag_cfg)
        q_acc = train_question_encoder(torch, model.rag.question_encoder, qtok, questions_all, q_titles, passages,
                                       emb, spec, a_seed)
        model.eval()
        # ---- questions, retrieval, answers ------------------------------------
        items = []
        with torch.no_grad():
            for q in questions_all:
                enc = qtok(q, return_tensors="pt")
                pooled = model.rag.question_encoder(enc["input_ids"], attention_mask=enc["attention_mask"],
                                                    return_dict=True).pooler_output
                doc_ids, gap = top_docs(emb, pooled[0].numpy(), n_docs)
                qstr = batch_decode(qtok, enc["input_ids"])[0]
                strings, cids, cmask = postprocess(rag_cfg, gtok, passages, doc_ids, qstr, n_docs, torch)
                doc_emb = torch.from_numpy(emb[doc_ids]).unsqueeze(0)
                scores = torch.bmm(pooled.unsqueeze(1), doc_emb.transpose(1, 2)).squeeze(1)
                top = strings[0]
                title_part, rest = top.split(rag_cfg.title_sep, 1)
                answer = title_part + rag_cfg.title_sep + " ".join(rest.split()[:4])
                labels = gtok(answer)["input_ids"]
                items.append(dict(question=q, doc_ids=doc_ids, gap=gap, ctx_ids=cids, ctx_mask=cmask,
                                  scores=scores, answer=answer, labels=labels))
        log(f"{name}: attempt {attempt}: {len(items)} questions, "
            f"{len({it['doc_ids'][0] for it in items})} distinct top-1 docs")

        # ---- training ------------------------------------------------------------
        loss_curve = train_generator(torch, model, items, spec, a_seed, gcfg)
        model.eval()
        seq_model = RagSequenceForGeneration(config=rag_cfg)
        seq_model.load_state_dict(model.state_dict())
        seq_model.eval()

        # ---- screening and choice of evaluation questions ------------------------
        picked, stats = choose_questions(torch, model, seq_model, items, spec, special, n_docs, settings_for(name))
        attempt_log.append({"attempt": attempt, "seed": a_seed, "question_encoder_top1_acc": q_acc,
                            "loss_curve": loss_curve, **stats})
        log(f"{name}: attempt {attempt}: {stats}")
        if picked is not None:
            chosen = (model, picked, loss_curve)
            break
        log(f"{name}: attempt {attempt} did not meet the requirements; retrying with another seed")
    if chosen is None:
        raise RuntimeError(f"{name}: no attempt met the requirements: {attempt_log}")
    model, picked, loss_curve = chosen

    # ---- save checkpoints ---------------------------------------------------------
    rag_dir, ctx_dir = os.path.join(hf_dir, "rag-token"), os.path.join(hf_dir, "ctx-encoder")
    model.save_pretrained(rag_dir)
    RagTokenizer(question_encoder=qtok, generator=gtok).save_pretrained(rag_dir)
    ctx_model.save_pretrained(ctx_dir)
    ctok.save_pretrained(ctx_dir)

    eval_items = [items[i] for i in picked]
    others = [it for i, it in enumerate(items) if i not in set(picked)]
    write_jsonl(os.path.join(case_dir, "qa.jsonl"), [{"question": it["question"], "answers": [it["answer"]]}
                                                     for it in eval_items + others[: max(0, 32 - len(eval_items))]])

    # ---- reference values from the saved checkpoint --------------------------------
    config_info = {k: spec[k] for k in ("seed", "qh", "ql", "qheads", "gd", "gel", "gdl", "gheads", "n_docs",
                                        "init")}
    config_info.update(qv=qv, gv=gv, mcl=mcl, q_ffn=spec["q_ffn"], g_ffn=spec["g_ffn"], g_init=spec["g_init"],
                       n_passages=len(passages), train_steps=spec["steps"], attempt=len(attempt_log) - 1,
                       question_encoder_train_steps=spec["q_steps"],
                       question_encoder_top1_acc=attempt_log[-1]["question_encoder_top1_acc"],
                       final_train_loss=loss_curve[-1][1] if loss_curve else None)
    ref = compute_reference(name, rag_dir, ctx_dir, case_dir, passages, emb,
                            [it["question"] for it in eval_items], [it["answer"] for it in eval_items],
                            config_info, versions)
    for it, pq in zip(eval_items, ref["per_question"]):
        if pq["doc_ids"] != it["doc_ids"]:
            raise AssertionError(f"{name}: retrieval after reload differs for {it['question']!r}")
    check_requirements(name, ref)
    with open(os.path.join(case_dir, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(ref, f, separators=(",", ":"))
    with open(os.path.join(case_dir, "train_log.json"), "w") as f:
        json.dump({"attempts": attempt_log}, f, indent=1)
    log(f"{name}: reference.json written ({time.time() - t_case:.1f}s so far)")

    # ---- export ----------------------------------------------------------------------
    export_summary = run_export(rag_dir, ctx_dir, os.path.join(case_dir, "model"), spec["dtypes"], args)
    return {"seconds": round(time.time() - t_case, 1), "export": export_summary,
            "requirements": {k: ref[k] for k in ("greedy_ne_beam", "norepeat_changed", "degenerate_sequences",
                                                 "empty_sequences")}}


def choose_questions(torch, model, seq_model, items, spec, special, n_docs, settings):
    """Pick the evaluation questions: some where greedy and beam differ, some
    where no_repeat_ngram_size changes the output, the rest with varied
    answers; none with a degenerate generation; clear retrieval margins."""
    n_eval = spec["n_eval"]
    cand = [i for i, it in enumerate(items) if it["gap"] >= 2e-4] or list(range(len(items)))
    screen = {}
    with torch.no_grad():
        for s in ("token_greedy_len12", "token_beam3_len12", "token_beam2_min6_len10",
                  "token_beam2_min6_len10_norepeat2"):
            res = []
            for c0 in range(0, len(cand), 64):
                ch = cand[c0 : c0 + 64]
                res += run_setting(s, model, seq_model,
                                   torch.cat([items[i]["ctx_ids"] for i in ch]),
                                   torch.cat([items[i]["ctx_mask"] for i in ch]),
                                   torch.cat([items[i]["scores"] for i in ch]), n_docs)
            screen[s] = dict(zip(cand, res))
    gnb = [i for i in cand if screen["token_greedy_len12"][i] != screen["token_beam3_len12"][i]]
    nr = [i for i in cand if screen["token_beam2_min6_len10"][i] != screen["token_beam2_min6_len10_norepeat2"][i]]
    degenerate_screen = sum(is_degenerate(screen[s][i], special) for s in screen for i in cand)
    stats = {"candidates": len(cand), "screen_greedy_ne_beam": len(gnb), "screen_norepeat_changed": len(nr),
             "screen_degenerate": degenerate_screen,
             "screen_distinct_greedy": len({tuple(screen["token_greedy_len12"][i]) for i in cand})}
    order = []
    for i in gnb[:3] + nr[:3] + cand:
        if i not in order:
            order.append(i)

    picked, texts_seen, tried = [], {}, set()
    have_gnb = have_nr = False
    for strict in (True, False):
        for i in order:
            if len(picked) >= n_eval or i in picked or len(tried) >= 32:
                continue
            g_text = tuple(screen["token_greedy_len12"][i])
            if strict and texts_seen.get(g_text, 0) >= 1:
                continue
            it = items[i]
            tried.add(i)
            gens = {}
            with torch.no_grad():
                for s, _, _ in settings:
                    gens[s] = run_setting(s, model, seq_model, it["ctx_ids"], it["ctx_mask"], it["scores"], n_docs)
            seqs = [x for v in gens.values() for x in v]
            if any(is_degenerate(x, special) for x in seqs):
                continue
            if strict and any(len(content_tokens(x, special)) == 0 for x in seqs):
                continue
            is_gnb = gens["token_greedy_len12"] != gens["token_beam3_len12"]
            is_nr = gens["token_beam2_min6_len10"] != gens["token_beam2_min6_len10_norepeat2"]
            # keep room for the questions that exercise beam search / no_repeat
            slots_left = n_eval - len(picked)
            need = (0 if have_gnb else 1) + (0 if have_nr else 1)
            if slots_left <= need and not ((is_gnb and not have_gnb) or (is_nr and not have_nr)):
                continue
            picked.append(i)
            texts_seen[g_text] = texts_seen.get(g_text, 0) + 1
            have_gnb |= is_gnb
            have_nr |= is_nr
        if len(picked) >= n_eval:
            break
    stats.update(picked=len(picked), tried=len(tried), has_greedy_ne_beam=have_gnb, has_norepeat_changed=have_nr)
    if len(picked) < min(5, n_eval) or not have_gnb or not have_nr:
        return None, stats
    stats["picked_questions"] = [items[i]["question"] for i in picked]
    return picked, stats

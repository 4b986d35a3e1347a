#!/usr/bin/env python3
"""Build rag-web's test fixtures, deterministically.

    python3 tools/make_fixtures.py [OUT_DIR] [--cases tiny-a tiny-b hf-o1 hf-o2]
                                   [--hf-reference DIR] [--keep-going]

For each tiny case (tiny-a, tiny-b): a corpus cut from Python's own
`pydoc_data.topics`, WordPiece (DPR side) and byte-level BPE (BART side)
tokenizers trained on it, a RagTokenForGeneration whose question encoder is
trained DPR-style against the fixed index of a random context encoder and whose
generator is then trained a few hundred steps with the RAG-Token loss, its
`save_pretrained` checkpoint, an ONNX export (tools/export_rag.py) and
`reference.json` with values computed by `transformers`' own RAG classes
(CPU, float32, eval mode).  For hf-o1 / hf-o2: the shared reference
checkpoints exported with the same exporter, their reference files copied.

See tools/README.md and fixtures/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from types import SimpleNamespace

import numpy as np

TOOLS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(TOOLS_DIR)
sys.path.insert(0, TOOLS_DIR)

CASES = {
    "tiny-a": dict(
        seed=11,
        qv=400, gv=500,
        qh=32, ql=2, qheads=4, q_ffn=64,
        gd=32, gel=2, gdl=2, gheads=4, g_ffn=64,
        n_docs=4, mcl=48, init=0.2, g_init=0.05,
        words=100, max_chunks=6, max_passages=300,
        templates=["what is {t}", "how does {t} work", "explain {t}", "tell me about {t}"],
        n_eval=8, q_steps=300, q_lr=2e-3, steps=600, batch=16, lr=3e-3,
        dtypes=["fp32", "fp16", "q8", "q4"],
    ),
    "tiny-b": dict(
        seed=23,
        qv=300, gv=450,
        qh=48, ql=2, qheads=6, q_ffn=96,
        gd=48, gel=2, gdl=2, gheads=6, g_ffn=96,
        n_docs=3, mcl=64, init=0.25, g_init=0.05,
        words=100, max_chunks=4, max_passages=240,
        templates=["what does {t} mean", "describe {t}", "how is {t} used"],
        n_eval=6, q_steps=300, q_lr=2e-3, steps=600, batch=16, lr=2e-3,
        dtypes=["fp32", "q8"],
    ),
}
HF_CASES = {"hf-o1": "o1", "hf-o2": "o2"}
HF_DTYPES = ["fp32"]  # fp32 only, to keep fixtures/ small (tiny-a/tiny-b carry the other dtypes)

# (name, model kind, generate kwargs).  Names are those of the shared
# hf-reference schema, plus token_beam2_min6_len10 (the no_repeat_ngram_size
# setting without no_repeat_ngram_size, to show that the latter matters).
SETTINGS = [
    ("token_greedy_len12", "token", dict(num_beams=1, max_length=12)),
    ("token_beam3_len12", "token", dict(num_beams=3, max_length=12)),
    ("token_beam3_ret2_len10", "token", dict(num_beams=3, num_return_sequences=2, max_length=10)),
    ("token_beam2_min6_len10", "token", dict(num_beams=2, min_length=6, max_length=10)),
    ("token_beam2_min6_len10_norepeat2", "token",
     dict(num_beams=2, min_length=6, no_repeat_ngram_size=2, max_length=10)),
    ("seq_beam2_ret1_len10", "seq", dict(num_beams=2, num_return_sequences=1, max_length=10)),
    ("seq_beam3_ret2_len10", "seq", dict(num_beams=3, num_return_sequences=2, max_length=10)),
    ("seq_beam2_ret2_nodedup_len8", "seq",
     dict(num_beams=2, num_return_sequences=2, do_deduplication=False, max_length=8)),
]
SETTING_BY_NAME = {n: (k, kw) for n, k, kw in SETTINGS}
BATCH2_SETTINGS = ["token_greedy_len12", "token_beam3_len12", "seq_beam2_ret1_len10"]
MAX_ATTEMPTS = 3


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


# ---------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------


def load_topics():
    try:
        from pydoc_data.topics import topics

        return dict(topics), "pydoc_data.topics"
    except Exception:  # pragma: no cover - fallback for stripped Pythons
        import builtins

        d = {}
        for name in sorted(dir(builtins)):
            doc = getattr(getattr(builtins, name), "__doc__", None)
            if isinstance(doc, str) and len(doc.split()) > 40:
                d[name.lower().replace("_", "-")] = doc
        return d, "builtins docstrings"


def build_passages(topics, words, max_chunks, max_passages):
    keys = sorted(topics)
    chunks = {}
    for k in keys:
        ws = topics[k].split()
        cs = [ws[i : i + words] for i in range(0, len(ws), words)]
        chunks[k] = [c for c in cs if len(c) >= 30][:max_chunks]
    selected, r = [], 0
    while len(selected) < max_passages:
        added = False
        for k in keys:
            if r < len(chunks[k]):
                selected.append((k, r))
                added = True
                if len(selected) >= max_passages:
                    break
        if not added:
            break
        r += 1
    order = {k: i for i, k in enumerate(keys)}
    selected.sort(key=lambda kr: (order[kr[0]], kr[1]))
    return [
        {"id": str(i), "title": k.replace("-", " ").replace("_", " "), "text": " ".join(chunks[k][c])}
        for i, (k, c) in enumerate(selected)
    ]


# ---------------------------------------------------------------------------
# Tokenizers
# ---------------------------------------------------------------------------


def train_wordpiece(texts, vocab_size):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

    tk = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tk.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True
    )
    tk.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tk.decoder = decoders.WordPiece(prefix="##")
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size,
        special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"],
        # no limit_alphabet (it breaks frequency ties in hash-map order); the
        # WordPiece trainer is still not reproducible run to run, see
        # fixtures/README.md ("Known issue")
        continuing_subword_prefix="##",
        show_progress=False,
    )
    tk.train_from_iterator(texts, trainer)
    cls_id, sep_id = tk.token_to_id("[CLS]"), tk.token_to_id("[SEP]")
    tk.post_processor = processors.TemplateProcessing(
        single="[CLS]:0 $A:0 [SEP]:0",
        pair="[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    return tk


def train_bpe(texts, vocab_size):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tk.train_from_iterator(texts, trainer)
    tk.post_processor = processors.RobertaProcessing(
        ("</s>", tk.token_to_id("</s>")), ("<s>", tk.token_to_id("<s>")), trim_offsets=True, add_prefix_space=False
    )
    return tk


def bpe_merges(tk):
    merges = json.loads(tk.to_str())["model"]["merges"]
    return [tuple(m.split(" ", 1)) if isinstance(m, str) else tuple(m) for m in merges]


def check_same_ids(hf_tok, raw, samples, pairs=None):
    for s in samples:
        a = hf_tok(s)["input_ids"]
        b = raw.encode(s).ids
        if a != b:
            raise RuntimeError(f"tokenizer mismatch on {s[:60]!r}: {a[:20]} vs {b[:20]}")
    for t, x in pairs or []:
        a = hf_tok(t, x)["input_ids"]
        b = raw.encode(t, x).ids
        if a != b:
            raise RuntimeError(f"tokenizer pair mismatch on {t!r}: {a[:20]} vs {b[:20]}")


def class_or_fast(transformers, name):
    return getattr(transformers, name + "Fast", None) or getattr(transformers, name)


def make_wordpiece_hf(cls, raw, samples, pairs):
    vocab = raw.get_vocab()
    errors = []
    for how in ("vocab", "vocab_file", "tokenizer_object"):
        try:
            if how == "vocab":
                tok = cls(vocab=dict(vocab), do_lower_case=True, model_max_length=128)
            elif how == "vocab_file":
                d = tempfile.mkdtemp()
                with open(os.path.join(d, "vocab.txt"), "w", encoding="utf-8") as f:
                    for t, _ in sorted(vocab.items(), key=lambda kv: kv[1]):
                        f.write(t + "\n")
                tok = cls(vocab_file=os.path.join(d, "vocab.txt"), do_lower_case=True, model_max_length=128)
            else:
                tok = cls(tokenizer_object=raw, do_lower_case=True, model_max_length=128,
                          unk_token="[UNK]", sep_token="[SEP]", pad_token="[PAD]", cls_token="[CLS]",
                          mask_token="[MASK]")
            check_same_ids(tok, raw, samples, pairs)
            log(f"  {cls.__name__} built with {how}")
            return tok
        except Exception as exc:
            errors.append(f"{how}: {type(exc).__name__}: {exc}")
    raise RuntimeError(f"could not build {cls.__name__}: {errors}")


def make_bpe_hf(cls, raw, samples):
    vocab, merges = raw.get_vocab(), bpe_merges(raw)
    errors = []
    for how in ("vocab", "vocab_file", "tokenizer_object"):
        try:
            if how == "vocab":
                tok = cls(vocab=dict(vocab), merges=list(merges), model_max_length=1024)
            elif how == "vocab_file":
                d = tempfile.mkdtemp()
                with open(os.path.join(d, "vocab.json"), "w", encoding="utf-8") as f:
                    json.dump(vocab, f)
                with open(os.path.join(d, "merges.txt"), "w", encoding="utf-8") as f:
                    f.write("#version: 0.2\n")
                    for a, b in merges:
                        f.write(f"{a} {b}\n")
                tok = cls(vocab_file=os.path.join(d, "vocab.json"), merges_file=os.path.join(d, "merges.txt"),
                          model_max_length=1024)
            else:
                tok = cls(tokenizer_object=raw, model_max_length=1024, bos_token="<s>", eos_token="</s>",
                          sep_token="</s>", cls_token="<s>", unk_token="<unk>", pad_token="<pad>",
                          mask_token="<mask>")
            check_same_ids(tok, raw, samples)
            log(f"  {cls.__name__} built with {how}")
            return tok
        except Exception as exc:
            errors.append(f"{how}: {type(exc).__name__}: {exc}")
    raise RuntimeError(f"could not build {cls.__name__}: {errors}")


# ---------------------------------------------------------------------------
# Retrieval and contexts (RagRetriever's logic, computed here)
# ---------------------------------------------------------------------------


def top_docs(emb, q, n):
    """Exact inner-product top-n, ties broken by lower id. Returns ids and the
    smallest gap between consecutive scores among the first n+1."""
    scores = emb @ q.astype(np.float32)
    order = np.lexsort((np.arange(len(scores)), -scores.astype(np.float64)))
    ids = [int(i) for i in order[:n]]
    s = scores[order[: n + 1]].astype(np.float64)
    gap = float(np.min(s[:-1] - s[1:])) if len(s) > 1 else float("inf")
    return ids, gap


def format_context(title, text, question, cfg, prefix):
    title = title.removeprefix('"').removesuffix('"')
    prefix = "" if prefix is None else prefix
    return (prefix + title + cfg.title_sep + text + cfg.doc_sep + question).replace("  ", " ")


def postprocess(cfg, gtok, passages, doc_ids, question_string, n_docs, torch):
    """context strings, ids, mask via RagRetriever.postprocess_docs (checked
    against the same formatting done here)."""
    docs = [{"title": [passages[i]["title"] for i in doc_ids], "text": [passages[i]["text"] for i in doc_ids]}]
    prefix = getattr(cfg.generator, "prefix", None)
    strings = [format_context(t, x, question_string, cfg, prefix) for t, x in zip(docs[0]["title"], docs[0]["text"])]
    mine = gtok(strings, max_length=cfg.max_combined_length, padding="max_length", truncation=True,
                return_tensors="pt")
    try:
        from transformers.models.rag.retrieval_rag import RagRetriever

        ns = SimpleNamespace(config=cfg, generator_tokenizer=gtok)
        ids, mask = RagRetriever.postprocess_docs(ns, docs, [question_string], prefix, n_docs, return_tensors="pt")
        if not (torch.equal(ids, mine["input_ids"]) and torch.equal(mask, mine["attention_mask"])):
            raise AssertionError("RagRetriever.postprocess_docs differs from format_context")
    except (ImportError, AttributeError, TypeError) as exc:
        log(f"WARN RagRetriever.postprocess_docs not usable ({type(exc).__name__}: {exc}); "
            "using the same formatting done here")
        ids, mask = mine["input_ids"], mine["attention_mask"]
    return strings, ids, mask


# ---------------------------------------------------------------------------
# Generation helpers
# ---------------------------------------------------------------------------


def batch_decode(tok, ids):
    try:
        return tok.batch_decode(ids, skip_special_tokens=True)
    except AttributeError:
        return [tok.decode(x, skip_special_tokens=True) for x in ids]


def run_setting(name, token_model, seq_model, ctx_ids, ctx_mask, doc_scores, n_docs):
    kind, kw = SETTING_BY_NAME[name]
    m = token_model if kind == "token" else seq_model
    out = m.generate(context_input_ids=ctx_ids, context_attention_mask=ctx_mask, doc_scores=doc_scores,
                     n_docs=n_docs, **kw)
    if hasattr(out, "sequences"):
        out = out.sequences
    return out.tolist()


def content_tokens(ids, special):
    return [t for t in ids if t not in special]


def is_degenerate(ids, special):
    c = content_tokens(ids, special)
    return len(c) >= 2 and len(set(c)) == 1


# ---------------------------------------------------------------------------
# Tiny cases
# ---------------------------------------------------------------------------


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
    with open(os.path.join(case_dir, "passages.jsonl"), "w", encoding="utf-8") as f:
        for p in passages:
            f.write(json.dumps(p) + "\n")
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
    emb_parts = []
    with torch.no_grad():
        for i in range(0, len(passages), 64):
            chunk = passages[i : i + 64]
            enc = ctok([p["title"] for p in chunk], [p["text"] for p in chunk], truncation=True, max_length=128,
                       padding="longest", return_tensors="pt")
            emb_parts.append(ctx_model(**enc, return_dict=True).pooler_output.float().numpy())
    emb = np.concatenate(emb_parts).astype(np.float32)
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
        picked, stats = choose_questions(torch, model, seq_model, items, spec, special, n_docs, gtok)
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
    with open(os.path.join(case_dir, "qa.jsonl"), "w", encoding="utf-8") as f:
        others = [it for i, it in enumerate(items) if i not in set(picked)]
        for it in eval_items + others[: max(0, 32 - len(eval_items))]:
            f.write(json.dumps({"question": it["question"], "answers": [it["answer"]]}) + "\n")

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


def choose_questions(torch, model, seq_model, items, spec, special, n_docs, gtok):
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
                for s, _, _ in SETTINGS:
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
            for s, _, _ in SETTINGS:
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


# ---------------------------------------------------------------------------
# Export and cross-checks
# ---------------------------------------------------------------------------


def run_export(rag_dir, ctx_dir, model_out, dtypes, args):
    import export_rag

    if os.path.isdir(model_out):
        shutil.rmtree(model_out)
    argv = [rag_dir, model_out, "--dtype", *dtypes]
    if ctx_dir:
        argv += ["--ctx-encoder", ctx_dir]
    log("export_rag.py " + " ".join(argv))
    rc = export_rag.main(argv)
    with open(os.path.join(model_out, "export_report.json")) as f:
        rep = json.load(f)
    summary = {"ok": rep["ok"], "max_abs_diff": {}}
    for g, per in rep["graphs"].items():
        for dt in rep["dtypes"]:
            if dt in per:
                summary["max_abs_diff"].setdefault(g, {})[dt] = max(per[dt]["max_abs_diff"].values())
    summary["chain"] = {dt: max(v.values()) for dt, v in rep["chain"].items()}
    if rc != 0:
        raise RuntimeError(f"export_rag failed for {rag_dir}: {rep.get('notes')}")
    return summary


def crosscheck(case_dir):
    """fp32 ONNX graphs vs the values in reference.json / passage_embeddings.npy."""
    import onnxruntime as ort
    from transformers import AutoTokenizer

    with open(os.path.join(case_dir, "reference.json")) as f:
        ref = json.load(f)
    mdir = os.path.join(case_dir, "model")
    with open(os.path.join(mdir, "config.json")) as f:
        cfg = json.load(f)
    pad = cfg["generator"]["pad_token_id"]

    def sess(n):
        return ort.InferenceSession(os.path.join(mdir, "onnx", n + ".onnx"), providers=["CPUExecutionProvider"])

    res = {}
    qs = sess("question_encoder")
    d = 0.0
    for pq in ref["per_question"]:
        ids = np.array([pq["question_input_ids"]], dtype=np.int64)
        out = qs.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)})[0]
        d = max(d, float(np.abs(out[0] - np.array(pq["question_pooled"])).max()))
    res["question_pooled"] = d
    emb_path = os.path.join(case_dir, "passage_embeddings.npy")
    if os.path.isfile(os.path.join(mdir, "onnx", "ctx_encoder.onnx")) and os.path.isfile(emb_path):
        emb = np.load(emb_path)
        with open(os.path.join(case_dir, "passages.jsonl")) as f:
            ps = [json.loads(line) for _, line in zip(range(16), f)]
        tok = AutoTokenizer.from_pretrained(os.path.join(mdir, "ctx_encoder_tokenizer"))
        enc = tok([p["title"] for p in ps], [p["text"] for p in ps], truncation=True, padding=True,
                  return_tensors="np")
        cs = sess("ctx_encoder")
        feeds = {k: enc[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")}
        out = cs.run(None, feeds)[0]
        res["passage_embeddings_first16"] = float(np.abs(out - emb[: len(ps)]).max())
    es, ds = sess("encoder_model"), sess("decoder_model")
    d = 0.0
    for pq in ref["per_question"]:
        if "generator_logits" not in pq:
            continue
        ci = np.array(pq["context_input_ids"], dtype=np.int64)
        cm = (np.array(pq["context_attention_mask"], dtype=np.int64) if "context_attention_mask" in pq
              else (ci != pad).astype(np.int64))
        h = es.run(None, {"input_ids": ci, "attention_mask": cm})[0]
        lab = np.repeat(np.array([pq["labels"]], dtype=np.int64), ci.shape[0], axis=0)
        logits = ds.run(["logits"], {"input_ids": lab, "encoder_hidden_states": h, "encoder_attention_mask": cm})[0]
        d = max(d, float(np.abs(logits - np.array(pq["generator_logits"], dtype=np.float32)).max()))
    res["generator_logits"] = d
    return res


def build_hf_case(name, sub, hf_ref_dir, out_dir, args):
    t0 = time.time()
    src = os.path.join(hf_ref_dir, sub)
    case_dir = os.path.join(out_dir, name)
    if os.path.isdir(case_dir):
        shutil.rmtree(case_dir)
    os.makedirs(case_dir)
    for fn in ("reference.json", "passages.jsonl", "passage_embeddings.npy"):
        shutil.copyfile(os.path.join(src, fn), os.path.join(case_dir, fn))
    with open(os.path.join(src, "reference.json")) as f:
        ref = json.load(f)
    with open(os.path.join(case_dir, "qa.jsonl"), "w", encoding="utf-8") as f:
        for q, a in zip(ref["questions"], ref["answers"]):
            f.write(json.dumps({"question": q, "answers": [a]}) + "\n")
    summary = run_export(os.path.join(src, "rag-token"), os.path.join(src, "ctx-encoder"),
                         os.path.join(case_dir, "model"), HF_DTYPES, args)
    return {"seconds": round(time.time() - t0, 1), "export": summary, "source": f"shared/hf-reference/{sub}"}


def find_hf_reference(explicit):
    cands = [explicit] if explicit else []
    cands += [os.path.join(REPO_DIR, ".device-carry", "hf-reference"), "/work/shared/hf-reference",
              os.path.join(os.path.dirname(REPO_DIR), "shared", "hf-reference")]
    for c in cands:
        if c and os.path.isfile(os.path.join(c, "o1", "reference.json")):
            return c
    return None


def dir_size(path):
    total = 0
    for root, _, files in os.walk(path):
        for fn in files:
            total += os.path.getsize(os.path.join(root, fn))
    return total


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir", nargs="?", default=os.path.join(REPO_DIR, "fixtures"))
    ap.add_argument("--cases", nargs="+", default=list(CASES) + list(HF_CASES),
                    choices=list(CASES) + list(HF_CASES))
    ap.add_argument("--hf-reference", default=None, help="folder with o1/ and o2/ (shared/hf-reference)")
    ap.add_argument("--keep-going", action="store_true", help="go on with the other cases after a failure")
    ap.add_argument("--threads", type=int, default=8)
    args = ap.parse_args(argv)

    t0 = time.time()
    import onnx
    import onnxruntime
    import tokenizers
    import torch
    import transformers

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True, warn_only=True)
    versions = {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__,
        "onnx": onnx.__version__,
        "onnxruntime": onnxruntime.__version__,
        "numpy": np.__version__,
    }
    log("versions:", json.dumps(versions))
    os.makedirs(args.out_dir, exist_ok=True)
    manifest_path = os.path.join(args.out_dir, "manifest.json")
    manifest = {"versions": versions, "cases": {}}
    if os.path.isfile(manifest_path):
        with open(manifest_path) as f:
            old = json.load(f)
        manifest["cases"] = {k: v for k, v in old.get("cases", {}).items() if k not in args.cases}
    failures = []
    for name in args.cases:
        log(f"==== {name}")
        try:
            if name in CASES:
                info = build_tiny_case(name, CASES[name], args.out_dir, args, versions)
            else:
                hf_ref = find_hf_reference(args.hf_reference)
                if hf_ref is None:
                    raise FileNotFoundError("shared hf-reference not found (use --hf-reference)")
                info = build_hf_case(name, HF_CASES[name], hf_ref, args.out_dir, args)
            info["crosscheck_fp32"] = crosscheck(os.path.join(args.out_dir, name))
            log(f"{name}: crosscheck fp32 ONNX vs reference: {info['crosscheck_fp32']}")
            info["bytes"] = dir_size(os.path.join(args.out_dir, name))
            manifest["cases"][name] = info
        except Exception as exc:
            traceback.print_exc()
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
            if not args.keep_going:
                break
    manifest["failures"] = failures
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=1)
    for name, info in manifest["cases"].items():
        log(f"{name}: {info.get('bytes', 0) / 1e6:.2f} MB, export {json.dumps(info.get('export'))}")
    log(f"done in {time.time() - t0:.1f}s; failures: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

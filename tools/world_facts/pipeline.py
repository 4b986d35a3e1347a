"""The training run of tools/train_default.py, stage by stage."""

from __future__ import annotations

import json
import os
import shutil
import time

import numpy as np

from fixtures_lib.tokenizers_train import class_or_fast, make_bpe_hf, make_wordpiece_hf, train_bpe, train_wordpiece

from .data import log
from .dpr import embed, encode, encode_passages, recall_at, train_dpr
from .evaluate import evaluate
from .generator import train_rag, warm_up_generator


def build_tokenizers(transformers, corpus, spec):
    texts = [p["title"] + " " + p["text"] for p in corpus.passages] + [q["question"] for q in corpus.qa["train"]]
    raw_wp = train_wordpiece(texts, spec["qv"])
    raw_bpe = train_bpe(texts, spec["gv"])
    samples = [q["question"] for q in corpus.qa["train"][:20]] + [p["text"] for p in corpus.passages[:20]]
    pairs = [(p["title"], p["text"]) for p in corpus.passages[:5]]
    qtok = make_wordpiece_hf(class_or_fast(transformers, "DPRQuestionEncoderTokenizer"), raw_wp, samples, pairs)
    ctok = make_wordpiece_hf(class_or_fast(transformers, "DPRContextEncoderTokenizer"), raw_wp, samples, pairs)
    gtok = make_bpe_hf(class_or_fast(transformers, "BartTokenizer"), raw_bpe, samples)
    qtok.model_max_length = spec["dpr"]["positions"]
    ctok.model_max_length = spec["dpr_train"]["p_len"]
    gtok.model_max_length = spec["bart"]["positions"]
    return qtok, ctok, gtok


def build_configs(transformers, spec, qv, gv):
    d, b = spec["dpr"], spec["bart"]
    dpr = transformers.DPRConfig(
        vocab_size=qv, hidden_size=d["hidden"], num_hidden_layers=d["layers"], num_attention_heads=d["heads"],
        intermediate_size=d["ffn"], max_position_embeddings=d["positions"], projection_dim=0, pad_token_id=0,
    )
    bart = transformers.BartConfig(
        vocab_size=gv, d_model=b["d_model"], encoder_layers=b["enc_layers"], decoder_layers=b["dec_layers"],
        encoder_attention_heads=b["heads"], decoder_attention_heads=b["heads"], encoder_ffn_dim=b["ffn"],
        decoder_ffn_dim=b["ffn"], max_position_embeddings=b["positions"], dropout=0.1, attention_dropout=0.0,
        activation_dropout=0.0, pad_token_id=1, bos_token_id=0, eos_token_id=2, decoder_start_token_id=2,
        forced_eos_token_id=2, scale_embedding=False,
    )
    rag = transformers.RagConfig.from_question_encoder_generator_configs(
        dpr, bart, n_docs=spec["n_docs"], max_combined_length=spec["max_combined_length"], index_name="custom",
        retrieval_vector_size=d["hidden"],
    )
    return dpr, rag


class StageCache:
    """Stage results kept between runs (--cache): tokenizers, then model states after each stage."""

    def __init__(self, torch, path):
        self.torch, self.path = torch, path
        if path:
            os.makedirs(path, exist_ok=True)

    def file(self, name):
        return os.path.join(self.path, name) if self.path else None

    def load(self, name, *modules):
        f = self.file(name + ".pt")
        if not f or not os.path.exists(f):
            return None
        states = self.torch.load(f)
        for m, st in zip(modules, states["modules"]):
            m.load_state_dict(st)
        log(f"{name}: reused {f}")
        return states["extra"]

    def save(self, name, extra, *modules):
        if self.path:
            self.torch.save({"modules": [m.state_dict() for m in modules], "extra": extra}, self.file(name + ".pt"))


def cached_tokenizers(transformers, corpus, spec, cache):
    d = cache.file("tokenizers")
    if d and os.path.isdir(d):
        return tuple(transformers.AutoTokenizer.from_pretrained(os.path.join(d, k)) for k in ("q", "c", "g"))
    toks = build_tokenizers(transformers, corpus, spec)
    if d:
        for k, t in zip(("q", "c", "g"), toks):
            t.save_pretrained(os.path.join(d, k))
    return toks


def run(spec, corpus, data_dir, seed, cache_dir=None):
    import torch
    import transformers
    from transformers import DPRContextEncoder, GenerationConfig, RagTokenForGeneration, RagTokenizer

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    torch.manual_seed(seed)
    timings = {}
    t = time.time()
    cache = StageCache(torch, cache_dir)
    qtok, ctok, gtok = cached_tokenizers(transformers, corpus, spec, cache)
    qv, gv = len(qtok), len(gtok)
    log(f"tokenizers: WordPiece {qv}, BPE {gv} ({time.time() - t:.1f}s)")
    dpr_cfg, rag_cfg = build_configs(transformers, spec, qv, gv)
    # The warm-up reads cross-attention weights, which only the eager attention returns (same math).
    rag_cfg.generator._attn_implementation = "eager"

    t = time.time()
    model = RagTokenForGeneration(config=rag_cfg)
    ctx = DPRContextEncoder(dpr_cfg)
    # DPR starts both encoders from one BERT; so do we (from one random init).
    ctx.ctx_encoder.bert_model.load_state_dict(model.rag.question_encoder.question_encoder.bert_model.state_dict())
    if cache.load("dpr", model.rag.question_encoder, ctx) is None:
        train_dpr(torch, model.rag.question_encoder, ctx, qtok, ctok, corpus, spec["dpr_train"], seed)
        cache.save("dpr", {}, model.rag.question_encoder, ctx)
    emb = embed(torch, ctx, encode_passages(ctok, corpus.passages, spec["dpr_train"]["p_len"]))
    val = corpus.qa["val"]
    q_val = embed(torch, model.rag.question_encoder, encode(qtok, [q["question"] for q in val]))
    dpr_recall = {k: round(recall_at(emb, q_val, [q["docId"] for q in val], k), 4) for k in (1, 5)}
    timings["dpr"] = round(time.time() - t)
    log(f"dpr: val recall@1 {dpr_recall[1]} recall@5 {dpr_recall[5]} ({timings['dpr']}s)")

    t = time.time()
    warm = []
    for phase, phase_spec in enumerate(spec["warmup_train"]):
        curve = cache.load(f"warmup-{phase}", model.rag.generator)
        if curve is None:
            curve = warm_up_generator(torch, model, qtok, gtok, rag_cfg, corpus, phase_spec, seed + phase)
            cache.save(f"warmup-{phase}", curve, model.rag.generator)
        warm.append(curve)
    timings["warmup"] = round(time.time() - t)
    t = time.time()
    rag_curve = train_rag(torch, model, qtok, gtok, rag_cfg, corpus, emb, spec["rag_train"], seed)
    timings["rag"] = round(time.time() - t)

    hf_dir = os.path.join(data_dir, "hf")
    rag_dir, ctx_dir = os.path.join(hf_dir, "rag-token"), os.path.join(hf_dir, "ctx-encoder")
    shutil.rmtree(hf_dir, ignore_errors=True)
    model.generation_config = GenerationConfig.from_model_config(rag_cfg.generator)
    model.generation_config.update(max_length=48, num_beams=1)
    model.save_pretrained(rag_dir)
    RagTokenizer(question_encoder=qtok, generator=gtok).save_pretrained(rag_dir)
    ctx.save_pretrained(ctx_dir)
    ctok.save_pretrained(ctx_dir)
    np.save(os.path.join(data_dir, "passage_embeddings.npy"), emb)

    t = time.time()
    metrics = evaluate(torch, rag_dir, corpus, emb, spec)
    timings["eval"] = round(time.time() - t)
    metrics.update(spec=spec, seed=seed, timings_s=timings, dpr_val_recall=dpr_recall, warmup_curve=warm,
                   rag_curve=rag_curve, versions={"torch": torch.__version__, "transformers": transformers.__version__})
    with open(os.path.join(hf_dir, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    return metrics


def reevaluate(spec, corpus, data_dir):
    """The metrics of the committed checkpoints again (evaluation changed, weights did not): the
    training record in metrics.json is kept, the evaluation replaced."""
    import torch

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    hf_dir = os.path.join(data_dir, "hf")
    path = os.path.join(hf_dir, "metrics.json")
    with open(path) as f:
        old = json.load(f)
    emb = np.load(os.path.join(data_dir, "passage_embeddings.npy"))
    t = time.time()
    metrics = evaluate(torch, os.path.join(hf_dir, "rag-token"), corpus, emb, spec)
    kept = {k: old[k] for k in ("spec", "seed", "timings_s", "dpr_val_recall", "warmup_curve", "rag_curve", "versions") if k in old}
    kept["timings_s"] = {**kept.get("timings_s", {}), "eval": round(time.time() - t)}
    metrics.update(kept)
    with open(path, "w") as f:
        json.dump(metrics, f, indent=1)
    return metrics

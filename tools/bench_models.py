#!/usr/bin/env python3
"""Random-weight RAG checkpoints of the real architectures, for the benchmarks (bench/README.md).

    python3 tools/bench_models.py OUT [--sizes base large] [--dtype fp32 fp16 q8] [--folders model rag] [--seed 5]

Per size, OUT/<size>/hf/{rag-token,ctx-encoder} (save_pretrained) and two exports of it
(tools/export_rag.py): OUT/<size>/model in the transformers.js layout (what the
@huggingface/transformers loop of the generation bench reads: per-row cross-attention, as
transformers.js feeds it) and OUT/<size>/rag, this project's own RAG folder (merged decoder,
shared cross-attention), what its rows run. DPR-base question and context encoders (BERT 12 x 768, 12 heads,
FFN 3072, vocab 30522) and the generator of the size: BART-base (6+6 layers, d_model 768) or
BART-large (12+12 layers, d_model 1024, 16 heads, FFN 4096), vocab 50265, n_docs 5,
max_combined_length 300. The tokenizers are trained (WordPiece, byte-level BPE) on the passages
of fixtures/world-facts/large plus made-up words, to the real vocabulary sizes exactly. Weights
are transformers' own random init, seeded: nothing is trained, so answers are noise; only shapes
and costs are real. Not committed (BART-large fp32 is 1.6 GB); rebuilt on CPU in minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time

TOOLS_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS_DIR)

from fixtures_lib.tokenizers_train import class_or_fast, make_bpe_hf, make_wordpiece_hf, train_bpe, train_wordpiece  # noqa: E402

REPO_DIR = os.path.dirname(TOOLS_DIR)
PASSAGES = os.path.join(REPO_DIR, "fixtures", "world-facts", "large", "passages.jsonl")

DPR_BASE = {"vocab_size": 30522, "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
            "intermediate_size": 3072, "max_position_embeddings": 512}
BART = {
    "base": {"d_model": 768, "encoder_layers": 6, "decoder_layers": 6, "encoder_attention_heads": 12,
             "decoder_attention_heads": 12, "encoder_ffn_dim": 3072, "decoder_ffn_dim": 3072},
    "large": {"d_model": 1024, "encoder_layers": 12, "decoder_layers": 12, "encoder_attention_heads": 16,
              "decoder_attention_heads": 16, "encoder_ffn_dim": 4096, "decoder_ffn_dim": 4096},
}
BART_VOCAB = 50265
N_DOCS, MAX_COMBINED_LENGTH = 5, 300


def log(msg):
    print(f"[bench_models] {msg}", flush=True)


def corpus_texts(seed):
    with open(PASSAGES, encoding="utf-8") as f:
        texts = [(lambda p: p["title"] + " " + p["text"])(json.loads(line)) for line in f]
    # Made-up words: enough distinct pieces for both vocabularies whatever the corpus holds.
    rng = random.Random(seed)
    syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
    words = ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(400_000)]
    texts += [" ".join(words[i:i + 50]) for i in range(0, len(words), 50)]
    return texts


def exact_vocab(train, texts, size, what):
    """Trains with a target a little above `size` until the vocabulary is exactly `size`."""
    target = size
    for _ in range(6):
        raw = train(texts, target)
        got = raw.get_vocab_size()
        if got == size:
            return raw
        target += size - got
    raise RuntimeError(f"{what}: could not reach a vocabulary of exactly {size} (last {got})")


def build_tokenizers(transformers, seed):
    texts = corpus_texts(seed)
    samples, pairs = texts[:20], [(t.split(" ", 1)[0], t) for t in texts[:5]]
    t = time.time()
    wp = exact_vocab(train_wordpiece, texts, DPR_BASE["vocab_size"], "WordPiece")
    bpe = exact_vocab(train_bpe, texts, BART_VOCAB, "BPE")
    log(f"tokenizers: WordPiece {wp.get_vocab_size()}, BPE {bpe.get_vocab_size()} ({time.time() - t:.0f}s)")
    qtok = make_wordpiece_hf(class_or_fast(transformers, "DPRQuestionEncoderTokenizer"), wp, samples, pairs)
    ctok = make_wordpiece_hf(class_or_fast(transformers, "DPRContextEncoderTokenizer"), wp, samples, pairs)
    gtok = make_bpe_hf(class_or_fast(transformers, "BartTokenizer"), bpe, samples)
    qtok.model_max_length = ctok.model_max_length = DPR_BASE["max_position_embeddings"]
    gtok.model_max_length = 1024
    return qtok, ctok, gtok


def build_checkpoint(torch, transformers, size, tokenizers, out, seed):
    from transformers import DPRContextEncoder, GenerationConfig, RagTokenForGeneration, RagTokenizer

    qtok, ctok, gtok = tokenizers
    torch.manual_seed(seed)
    dpr = transformers.DPRConfig(**DPR_BASE, projection_dim=0, pad_token_id=0)
    bart = transformers.BartConfig(
        vocab_size=BART_VOCAB, max_position_embeddings=1024, pad_token_id=1, bos_token_id=0, eos_token_id=2,
        decoder_start_token_id=2, forced_eos_token_id=2, scale_embedding=False, **BART[size],
    )
    rag = transformers.RagConfig.from_question_encoder_generator_configs(
        dpr, bart, n_docs=N_DOCS, max_combined_length=MAX_COMBINED_LENGTH, index_name="custom",
        retrieval_vector_size=DPR_BASE["hidden_size"],
    )
    model = RagTokenForGeneration(config=rag).eval()
    ctx = DPRContextEncoder(dpr).eval()
    model.generation_config = GenerationConfig.from_model_config(rag.generator)
    rag_dir, ctx_dir = os.path.join(out, "hf", "rag-token"), os.path.join(out, "hf", "ctx-encoder")
    model.save_pretrained(rag_dir)
    RagTokenizer(question_encoder=qtok, generator=gtok).save_pretrained(rag_dir)
    ctx.save_pretrained(ctx_dir)
    ctok.save_pretrained(ctx_dir)
    params = sum(p.numel() for p in model.parameters())
    log(f"{size}: {params / 1e6:.1f}M parameters (question encoder + generator) -> {rag_dir}")
    return rag_dir, ctx_dir


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--sizes", nargs="+", choices=sorted(BART), default=["base", "large"])
    ap.add_argument("--dtype", nargs="+", default=["fp32", "fp16", "q8"])
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--folders", nargs="+", choices=["model", "rag"], default=["model", "rag"],
                    help="model: the transformers.js layout (the transformers.js loop's); rag: this project's")
    args = ap.parse_args(argv)

    import torch
    import transformers
    from rag_export.main import main as export_main

    tokenizers = build_tokenizers(transformers, args.seed)
    worst = 0
    for size in args.sizes:
        out = os.path.join(args.out, size)
        t = time.time()
        rag_dir, ctx_dir = build_checkpoint(torch, transformers, size, tokenizers, out, args.seed)
        for folder, layout in (("model", "transformers.js"), ("rag", "merged")):
            if folder not in args.folders:
                continue
            rc = export_main([rag_dir, os.path.join(out, folder), "--ctx-encoder", ctx_dir, "--layout", layout,
                              "--dtype", *args.dtype])
            log(f"{size}/{folder}: exported in {time.time() - t:.0f}s (exit {rc})")
            if rc not in (0, None):
                # The files are written either way; a failed numeric check (e.g. q8 on a CPU without
                # VNNI, tools/README.md) is worth knowing but does not make a benchmark model unusable.
                log(f"{size}: some export checks failed, see {os.path.join(out, folder, 'export_report.json')}")
                worst = max(worst, int(rc))
    return worst


if __name__ == "__main__":
    sys.exit(main())

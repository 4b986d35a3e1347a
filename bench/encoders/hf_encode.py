#!/usr/bin/env python3
"""transformers' side of the encoder bench (bench/encoders/run.ts): DPRQuestionEncoder (the RAG
checkpoint's question_encoder) and DPRContextEncoder, torch CPU float32, with their fast
tokenizers, in this process alone.

    python3 bench/encoders/hf_encode.py SPEC.json

SPEC: {"questionCheckpoint": ".../hf/rag-token", "ctxCheckpoint": ".../hf/ctx-encoder",
       "inputs": INPUTS.json, "threads": 2, "repeats": 5, "batchSizes": [1, 8, 32], "maxLength": 256}
INPUTS: {"questions": [...], "passages": [{"title", "text"}]}
Prints one JSON object: the wall time of every question (batch 1) and of every pass over the
passages per batch size, each after one untimed pass; tokenization is inside every timing. Also
the token ids (unpadded) and pooled outputs, which run.ts compares across systems, and the
process's CPU time over wall time while measuring (how many threads were busy).
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(spec_path):
    import torch
    import transformers
    from transformers import AutoTokenizer, DPRContextEncoder, RagTokenForGeneration

    with open(spec_path) as f:
        spec = json.load(f)
    with open(spec["inputs"]) as f:
        inputs = json.load(f)
    torch.set_num_threads(spec["threads"])
    max_length, repeats = spec["maxLength"], spec["repeats"]
    t = time.perf_counter()
    question_encoder = RagTokenForGeneration.from_pretrained(spec["questionCheckpoint"]).rag.question_encoder.eval()
    question_tokenizer = AutoTokenizer.from_pretrained(os.path.join(spec["questionCheckpoint"], "question_encoder_tokenizer"))
    ctx_encoder = DPRContextEncoder.from_pretrained(spec["ctxCheckpoint"]).eval()
    ctx_tokenizer = AutoTokenizer.from_pretrained(spec["ctxCheckpoint"])
    load_s = time.perf_counter() - t

    def question(q):
        enc = question_tokenizer([q], truncation=True, max_length=max_length, return_tensors="pt")
        return enc, question_encoder(**enc).pooler_output.numpy()

    def passages(batch):
        # DPR context encoders take the (title, text) pair: [CLS] title [SEP] text [SEP].
        enc = ctx_tokenizer([p["title"] for p in batch], [p["text"] for p in batch], padding="longest",
                            truncation=True, max_length=max_length, return_tensors="pt")
        return enc, ctx_encoder(**enc).pooler_output.numpy()

    def unpadded(enc):
        return [ids[mask.bool()].tolist() for ids, mask in zip(enc["input_ids"], enc["attention_mask"])]

    def timed(fn, *args):
        t0 = time.perf_counter()
        out = fn(*args)
        return (time.perf_counter() - t0) * 1000, out

    # Each measurement runs repeats + 1 times; the first is the warm-up and is dropped.
    cpu0, wall0 = time.process_time(), time.perf_counter()
    with torch.inference_mode():
        questions = inputs["questions"]
        runs = [[timed(question, q) for q in questions] for _ in range(repeats + 1)][1:]
        question_ms = [round(ms, 3) for run in runs for ms, _ in run]
        question_ids = [row for _, (enc, _) in runs[0] for row in unpadded(enc)]
        question_pooled = [p[0].tolist() for _, (_, p) in runs[0]]

        corpus = inputs["passages"]
        ingest = []
        for size in spec["batchSizes"]:
            batches = [corpus[i:i + size] for i in range(0, len(corpus), size)]
            runs = [timed(lambda: [passages(b) for b in batches]) for _ in range(repeats + 1)][1:]
            run_ms, outs = [round(ms, 3) for ms, _ in runs], runs[0][1]
            ingest.append({
                "batch": size,
                "runMs": run_ms,
                "ids": [row for enc, _ in outs for row in unpadded(enc)],
                "pooled": [row.tolist() for _, p in outs for row in p],
            })
    cpu_per_wall = (time.process_time() - cpu0) / (time.perf_counter() - wall0)

    print(json.dumps({
        "system": "transformers",
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
        "threads": torch.get_num_threads(),
        "loadMs": round(load_s * 1000),
        "cpuPerWall": round(cpu_per_wall, 3),
        "questionMs": question_ms,
        "questionIds": question_ids,
        "questionPooled": question_pooled,
        "ingest": ingest,
    }))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

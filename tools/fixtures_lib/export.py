"""Export a case with tools/export_rag.py, cross-check the ONNX graphs, and the hf-o1 / hf-o2 cases."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time

import numpy as np

from .common import REPO_DIR, TOOLS_DIR, log, write_jsonl
from .specs import HF_DTYPES


# The exporter and its layout contract live beside this package (tools/rag_export).
if TOOLS_DIR not in sys.path:
    sys.path.insert(0, TOOLS_DIR)
from rag_export.layout import folder, graph  # noqa: E402


def run_export(rag_dir, ctx_dir, model_out, dtypes, args):
    from rag_export.main import main as export_main

    if os.path.isdir(model_out):
        shutil.rmtree(model_out)
    argv = [rag_dir, model_out, "--dtype", *dtypes]
    if ctx_dir:
        argv += ["--ctx-encoder", ctx_dir]
    log("export_rag.py " + " ".join(argv))
    rc = export_main(argv)
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

    def graph_path(set_name, role):
        return os.path.join(mdir, graph(set_name, role).path("fp32"))

    def sess(set_name, role):
        return ort.InferenceSession(graph_path(set_name, role), providers=["CPUExecutionProvider"])

    res = {}
    qs = sess("dpr-question", "encoder")
    d = 0.0
    for pq in ref["per_question"]:
        ids = np.array([pq["question_input_ids"]], dtype=np.int64)
        out = qs.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)})[0]
        d = max(d, float(np.abs(out[0] - np.array(pq["question_pooled"])).max()))
    res["question_pooled"] = d
    emb_path = os.path.join(case_dir, "passage_embeddings.npy")
    if os.path.isfile(graph_path("dpr-ctx", "encoder")) and os.path.isfile(emb_path):
        emb = np.load(emb_path)
        with open(os.path.join(case_dir, "passages.jsonl")) as f:
            ps = [json.loads(line) for _, line in zip(range(16), f)]
        tok = AutoTokenizer.from_pretrained(os.path.join(mdir, folder("rag", "ctx_encoder")["tokenizer"]))
        enc = tok([p["title"] for p in ps], [p["text"] for p in ps], truncation=True, padding=True,
                  return_tensors="np")
        cs = sess("dpr-ctx", "encoder")
        feeds = {k: enc[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")}
        out = cs.run(None, feeds)[0]
        res["passage_embeddings_first16"] = float(np.abs(out - emb[: len(ps)]).max())
    es, ds = sess("bart-split", "encoder"), sess("bart-split", "decoder")
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
    write_qa(case_dir, ref)
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


def write_qa(case_dir, ref):
    """qa.jsonl: the reference questions with their answers."""
    write_jsonl(os.path.join(case_dir, "qa.jsonl"),
                [{"question": q, "answers": [a]} for q, a in zip(ref["questions"], ref["answers"])])

"""The exporter's command line: export, convert, check, write export_report.json."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import numpy as np

from .checks import chain_check, compare, graph_io, merge_max, ort_run, ort_session, torch_run, within
from .common import ALL_DTYPES, DTYPE_SUFFIX, EXPORT_SHAPES, OPSET, TOLERANCES, log
from .dtypes import convert_fp16_weights, quantize_q4, quantize_q8
from .files import copy_tokenizer, resolve_src, write_generation_config
from .graphs import Dims, check_cases, export_shapes_args, graph_spec, make_inputs
from .wrappers import build_wrappers

USAGE = """Export a Hugging Face `transformers` RAG checkpoint (DPR question encoder +
BART generator) to the ONNX layout that rag-web's TypeScript loader reads.

    python3 tools/export_rag.py SRC OUT [--dtype fp32 fp16 q8 q4] [--ctx-encoder CTX_SRC]

SRC is a folder written by `save_pretrained` of RagTokenForGeneration or
RagSequenceForGeneration (or a hub id, where the hub can be reached).
CTX_SRC is an optional DPR context-encoder folder (config, weights, tokenizer).

Every exported graph, in every dtype, is checked against PyTorch with
onnxruntime (CPU) on random inputs whose batch sizes and lengths differ from
those used at export; the differences go to OUT/export_report.json and the
exit status is non-zero when a check fails (see rag_export/common.py
TOLERANCES and tools/README.md).
"""


def parse_args(argv):
    ap = argparse.ArgumentParser(description=USAGE, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--dtype", nargs="+", default=["fp32", "q8"], choices=ALL_DTYPES)
    ap.add_argument("--ctx-encoder", default=None, help="DPR context encoder folder (config, weights, tokenizer)")
    ap.add_argument("--seed", type=int, default=1234, help="seed of the random check inputs")
    return ap.parse_args(argv)


def load_sources(src, out, ctx_encoder):
    """Copy config, tokenizers and generation config; load the RAG model and the optional ctx encoder."""
    from transformers import DPRContextEncoder, RagConfig, RagTokenForGeneration

    shutil.copyfile(os.path.join(src, "config.json"), os.path.join(out, "config.json"))
    rag_config = RagConfig.from_pretrained(src)
    if rag_config.generator.model_type not in ("bart",):
        raise SystemExit(f"generator model_type {rag_config.generator.model_type!r} is not supported (BART only)")
    if rag_config.question_encoder.model_type != "dpr":
        raise SystemExit(f"question encoder model_type {rag_config.question_encoder.model_type!r} is not DPR")
    for which in ("question_encoder_tokenizer", "generator_tokenizer"):
        copy_tokenizer(os.path.join(src, which), os.path.join(out, which))

    model = RagTokenForGeneration.from_pretrained(src)
    model.eval()
    gen_cfg_mode = write_generation_config(src, out, model)

    ctx_model, ctx_config = None, None
    if ctx_encoder:
        ctx_src = resolve_src(ctx_encoder)
        ctx_model = DPRContextEncoder.from_pretrained(ctx_src)
        ctx_model.eval()
        ctx_config = ctx_model.config
        shutil.copyfile(os.path.join(ctx_src, "config.json"), os.path.join(out, "ctx_encoder_config.json"))
        copy_tokenizer(ctx_src, os.path.join(out, "ctx_encoder_tokenizer"))
    return rag_config, model, ctx_model, ctx_config, gen_cfg_mode


def export_fp32(torch, wrappers, names, dims, rng, target_dir):
    """torch.onnx.export of every wrapper into target_dir; checks the I/O names against the contract."""
    import onnx

    paths = {}
    for name in names:
        ins, outs, dyn = graph_spec(name, dims)
        b, a, c = export_shapes_args(name)
        feeds = make_inputs(name, dims, rng, b, a, c)
        path = os.path.join(target_dir, name + ".onnx")
        w = wrappers[name]
        w.eval()
        with torch.no_grad():
            torch.onnx.export(
                w,
                tuple(torch.from_numpy(feeds[n]) for n in ins),
                path,
                input_names=ins,
                output_names=outs,
                dynamic_axes=dyn,
                opset_version=OPSET,
                do_constant_folding=True,
                dynamo=False,
            )
        w.eval()  # the exporter restores the training flag to children
        onnx.checker.check_model(path)
        io = graph_io(path)
        got_in = [v["name"] for v in io["inputs"]]
        got_out = [v["name"] for v in io["outputs"]]
        if got_in != ins or got_out != outs:
            raise RuntimeError(f"{name}: I/O names differ from the contract: {got_in} -> {got_out}")
        paths[name] = path
        log(f"exported {name} ({os.path.getsize(path)} bytes)")
    return paths


def convert_dtypes(fp32_paths, names, dtypes, onnx_dir, notes):
    """The other dtypes from the fp32 graphs; a failed conversion is noted (and fails the export)."""
    paths = {"fp32": fp32_paths}
    for dt in dtypes:
        if dt == "fp32":
            continue
        paths[dt] = {}
        for name in names:
            dst = os.path.join(onnx_dir, name + DTYPE_SUFFIX[dt] + ".onnx")
            try:
                if dt == "fp16":
                    convert_fp16_weights(fp32_paths[name], dst)
                elif dt == "q8":
                    quantize_q8(fp32_paths[name], dst)
                elif dt == "q4":
                    n_q = quantize_q4(fp32_paths[name], dst)
                    notes.setdefault("q4_matmulnbits", {})[name] = n_q
                paths[dt][name] = dst
                log(f"wrote {os.path.basename(dst)} ({os.path.getsize(dst)} bytes)")
            except Exception as exc:  # documented in the report, counted as failure
                notes.setdefault("errors", []).append(f"{dt}/{name}: {type(exc).__name__}: {exc}")
                log(f"FAILED {dt}/{name}: {type(exc).__name__}: {exc}")
    return paths


def log_check(name, dt, acc, passed):
    worst = max(e["max_abs"] for e in acc.values())
    worst_rel = max(e["rel"] for e in acc.values())
    log(f"check {name:24s} {dt:5s} max_abs={worst:.3e} rel={worst_rel:.3e} {'ok' if passed else 'FAIL'}")
    for n, e in acc.items():
        extra = f" argmax_agree={e['argmax_agree']:.3f}" if "argmax_agree" in e else ""
        log(f"    {n:34s} max_abs={e['max_abs']:.3e} rel={e['rel']:.3e} rel_l2={e['rel_l2']:.3e}{extra}")


def check_graphs(torch, wrappers, names, dims, dtypes, paths, rng, out, onnx_dir):
    """Every graph in every dtype against its PyTorch wrapper. Returns (all passed, per-graph report)."""
    report_graphs = {}
    ok = True
    for name in names:
        ins, outs, _ = graph_spec(name, dims)
        cases = []
        for b, a, c in check_cases(name):
            feeds = make_inputs(name, dims, rng, b, a, c)
            cases.append(((b, a, c), feeds, torch_run(torch, wrappers[name], ins, outs, feeds)))
        report_graphs[name] = {"check_shapes": [list(x for x in s if x is not None) for s, _, _ in cases]}
        for dt in dtypes:
            p = paths.get(dt, {}).get(name)
            if p is None:
                continue
            sess = ort_session(p)
            acc = {}
            for _, feeds, ref in cases:
                merge_max(acc, compare(ref, ort_run(sess, feeds)))
            passed = within(dt, acc)
            ok = ok and passed
            report_graphs[name][dt] = {
                "file": os.path.relpath(p, out) if p.startswith(onnx_dir) else None,
                "bytes": os.path.getsize(p),
                "ok": passed,
                "max_abs_diff": {n: e["max_abs"] for n, e in acc.items()},
                "detail": acc,
            }
            log_check(name, dt, acc, passed)
    return ok, report_graphs


def check_chains(paths, dims, dtypes, rng):
    """decoder_model then decoder_with_past_model vs decoder_model alone. Returns (fp32 passed, diffs)."""
    ok, chains = True, {}
    for dt in dtypes:
        p = paths.get(dt, {})
        if "decoder_model" in p and "decoder_with_past_model" in p:
            chains[dt] = chain_check(p, dims, rng)
            worst = max(chains[dt].values())
            log(f"chain {dt}: decoder_with_past after decoder_model vs decoder_model, max_abs={worst:.3e}")
            if dt == "fp32" and worst > TOLERANCES["fp32"]["abs"]:
                ok = False
    return ok, chains


def versions(torch):
    import onnx
    import onnxruntime
    import transformers

    return {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "onnx": onnx.__version__,
        "onnxruntime": onnxruntime.__version__,
        "numpy": np.__version__,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    t0 = time.time()
    import torch

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    src = resolve_src(args.src)
    out = args.out
    onnx_dir = os.path.join(out, "onnx")
    os.makedirs(onnx_dir, exist_ok=True)
    dtypes = [d for d in ALL_DTYPES if d in args.dtype]
    log(f"src={src} out={out} dtypes={dtypes} ctx={args.ctx_encoder}")

    rag_config, model, ctx_model, ctx_config, gen_cfg_mode = load_sources(src, out, args.ctx_encoder)
    dims = Dims(rag_config, ctx_config)
    wrappers = build_wrappers(torch, model, ctx_model)
    names = ["question_encoder"] + (["ctx_encoder"] if ctx_model is not None else [])
    names += ["encoder_model", "decoder_model", "decoder_with_past_model"]
    log(
        "attn_implementation:",
        getattr(model.rag.generator.config, "_attn_implementation", None),
        getattr(model.rag.question_encoder.config, "_attn_implementation", None),
    )

    tmp_dir = tempfile.mkdtemp(prefix="export_rag_")
    fp32_paths = export_fp32(torch, wrappers, names, dims, rng, onnx_dir if "fp32" in dtypes else tmp_dir)
    notes = {}
    paths = convert_dtypes(fp32_paths, names, dtypes, onnx_dir, notes)
    graphs_ok, report_graphs = check_graphs(torch, wrappers, names, dims, dtypes, paths, rng, out, onnx_dir)
    chains_ok, chains = check_chains(paths, dims, dtypes, rng)
    ok = not notes.get("errors") and graphs_ok and chains_ok

    report = {
        "ok": ok,
        "source": args.src,
        "ctx_encoder": args.ctx_encoder,
        "versions": versions(torch),
        "opset": OPSET,
        "exporter": "torch.onnx.export(dynamo=False)",
        "dtypes": dtypes,
        "dtype_files": {dt: DTYPE_SUFFIX[dt] + ".onnx" for dt in dtypes},
        "tolerances": TOLERANCES,
        "export_shapes": EXPORT_SHAPES,
        "generation_config": gen_cfg_mode,
        "dims": dims.__dict__,
        "graphs": report_graphs,
        "chain": chains,
        "io": {name: graph_io(fp32_paths[name]) for name in names},
        "notes": notes,
        "seconds": round(time.time() - t0, 1),
    }
    with open(os.path.join(out, "export_report.json"), "w") as f:
        json.dump(report, f, indent=1)
    shutil.rmtree(tmp_dir, ignore_errors=True)
    log(f"{'OK' if ok else 'FAILED'} in {time.time() - t0:.1f}s -> {os.path.join(out, 'export_report.json')}")
    return 0 if ok else 1

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

from .checks import chain_check, shared_cross_check, compare, graph_io, merge_max, ort_run, ort_session, torch_run, within
from .common import ALL_DTYPES, DTYPE_SUFFIX, EXPORT_SHAPES, OPSET, TOLERANCES, log
from .dtypes import convert_fp16_weights, quantize_q4, quantize_q8
from .files import resolve_src
from .graphs import Dims, check_cases, export_shapes_args, graph_spec, make_inputs, role_graph
from .layout import graph
from .manifest import write_manifest
from .merge import merge_decoders
from .placement import OUTPUT_LAYOUTS, destinations, exported_roles, part_dirs, place, write_hub_parts, write_rag_folder
from .wrappers import build_wrappers

USAGE = """Export a Hugging Face `transformers` RAG checkpoint (DPR question encoder +
BART generator) to the ONNX layout that rag-web's TypeScript loader reads.

    python3 tools/export_rag.py SRC OUT [--dtype fp32 fp16 q8 q4] [--ctx-encoder CTX_SRC]
                                        [--layout split|merged|transformers.js]
                                        [--cross-attention shared|per-row]

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
    ap.add_argument(
        "--layout",
        choices=OUTPUT_LAYOUTS,
        default="split",
        help="split: the bart-split graph set of layouts.json; merged: bart-merged (one decoder with use_cache_branch); "
        "split+merged: both; transformers.js: one hub-style repo per part (merged decoder) and rag.json",
    )
    ap.add_argument(
        "--cross-attention",
        choices=("shared", "per-row"),
        default=None,
        help="shared (default): the decoders take the encoder output, its mask (batch, n_docs, S) and the cross-attention "
        "cache once per document, shared by its beams; per-row: once per decoder row, as transformers expands them "
        "(what transformers.js and optimum read: the only choice with --layout transformers.js)",
    )
    args = ap.parse_args(argv)
    if args.cross_attention is None:
        args.cross_attention = "per-row" if args.layout == "transformers.js" else "shared"
    if args.layout == "transformers.js" and args.cross_attention != "per-row":
        ap.error("--layout transformers.js needs --cross-attention per-row (transformers.js feeds 2-D masks)")
    return args


def load_sources(src, out, ctx_encoder, layout):
    """Write configs, tokenizers and generation config for `layout`; load the RAG model and the optional ctx encoder."""
    from transformers import DPRContextEncoder, RagConfig, RagTokenForGeneration

    rag_config = RagConfig.from_pretrained(src)
    if rag_config.generator.model_type not in ("bart",):
        raise SystemExit(f"generator model_type {rag_config.generator.model_type!r} is not supported (BART only)")
    if rag_config.question_encoder.model_type != "dpr":
        raise SystemExit(f"question encoder model_type {rag_config.question_encoder.model_type!r} is not DPR")
    if layout == "transformers.js" and getattr(rag_config.question_encoder, "projection_dim", 0):
        raise SystemExit("--layout transformers.js: a BERT feature extractor has no projection (projection_dim must be 0)")
    model = RagTokenForGeneration.from_pretrained(src)
    model.eval()
    ctx_model, ctx_config, ctx_src = None, None, None
    if ctx_encoder:
        ctx_src = resolve_src(ctx_encoder)
        ctx_model = DPRContextEncoder.from_pretrained(ctx_src)
        ctx_model.eval()
        ctx_config = ctx_model.config
    write = write_hub_parts if layout == "transformers.js" else write_rag_folder
    gen_cfg_mode = write(src, out, model, ctx_src)
    return rag_config, model, ctx_model, ctx_config, gen_cfg_mode


def export_fp32(torch, wrappers, names, dims, rng, target_dir):
    """torch.onnx.export of every wrapper (by role) into target_dir; checks the I/O names against the contract."""
    import onnx

    paths = {}
    for name in names:
        ins, outs, dyn = graph_spec(name, dims)
        b, a, c = export_shapes_args(name)
        feeds = make_inputs(name, dims, rng, b, a, c)
        path = os.path.join(target_dir, name + ".onnx")
        if name not in wrappers:
            raise SystemExit(f"no {name} graph for this checkpoint")
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
        log(f"exported {role_graph(name).name} ({os.path.getsize(path)} bytes)")
    return paths


def convert_dtypes(fp32_paths, names, dtypes, work_dir, notes):
    """The other dtypes from the fp32 graphs; a failed conversion is noted (and fails the export)."""
    paths = {"fp32": fp32_paths}
    for dt in dtypes:
        if dt == "fp32":
            continue
        paths[dt] = {}
        for name in names:
            dst = os.path.join(work_dir, name + DTYPE_SUFFIX[dt] + ".onnx")
            try:
                if dt == "fp16":
                    convert_fp16_weights(fp32_paths[name], dst)
                elif dt == "q8":
                    quantize_q8(fp32_paths[name], dst)
                elif dt == "q4":
                    n_q = quantize_q4(fp32_paths[name], dst)
                    notes.setdefault("q4_matmulnbits", {})[role_graph(name).name] = n_q
                paths[dt][name] = dst
                log(f"wrote {os.path.basename(dst)} ({os.path.getsize(dst)} bytes)")
            except Exception as exc:  # documented in the report, counted as failure
                notes.setdefault("errors", []).append(f"{dt}/{role_graph(name).name}: {type(exc).__name__}: {exc}")
                log(f"FAILED {dt}/{name}: {type(exc).__name__}: {exc}")
    return paths


def log_check(name, dt, acc, passed):
    worst = max(e["max_abs"] for e in acc.values())
    worst_rel = max(e["rel"] for e in acc.values())
    log(f"check {name:24s} {dt:5s} max_abs={worst:.3e} rel={worst_rel:.3e} {'ok' if passed else 'FAIL'}")
    for n, e in acc.items():
        extra = f" argmax_agree={e['argmax_agree']:.3f}" if "argmax_agree" in e else ""
        log(f"    {n:34s} max_abs={e['max_abs']:.3e} rel={e['rel']:.3e} rel_l2={e['rel_l2']:.3e}{extra}")


def merged_feeds(branch, feeds, dims):
    """Feeds of the merged decoder for one of its branches, from the split graph's feeds."""
    f = dict(feeds, use_cache_branch=np.array([branch == "decoder_with_past"]))
    if branch == "decoder":
        for n in role_graph("decoder_with_past", dims.n_layers).inputs[2:]:
            rows = feeds["input_ids" if ".decoder." in n else "encoder_hidden_states"].shape[0]
            f[n] = np.zeros((rows, dims.heads, 0, dims.head_dim), dtype=np.float32)
    else:  # unused by the cached branch, but a graph input
        f["encoder_hidden_states"] = np.zeros((1, 1, dims.d_model), dtype=np.float32)
    return f


def check_graphs(torch, wrappers, names, dims, dtypes, paths, placed, rng, out):
    """Every graph in every dtype against its PyTorch wrapper (the merged decoder: each branch
    against its split twin's wrapper). Returns (all passed, per-graph report)."""
    report_graphs = {}
    ok = True
    cases_of = {}
    for name in names:
        ins, outs, _ = graph_spec(name, dims)
        cases = []
        for b, a, c in check_cases(name):
            feeds = make_inputs(name, dims, rng, b, a, c)
            cases.append(((b, a, c), feeds, torch_run(torch, wrappers[name], ins, outs, feeds)))
        cases_of[name] = cases
    checked = list(names) + (["merged"] if any("merged" in paths.get(dt, {}) for dt in dtypes) else [])
    for name in checked:
        gname = graph("bart-merged", "decoderMerged").name if name == "merged" else role_graph(name).name
        if name == "merged":
            cases = [(s, merged_feeds(br, f, dims), r) for br in ("decoder", "decoder_with_past") for s, f, r in cases_of[br]]
        else:
            cases = cases_of[name]
        report_graphs[gname] = {"check_shapes": [list(x for x in s if x is not None) for s, _, _ in cases]}
        for dt in dtypes:
            p = paths.get(dt, {}).get(name)
            if p is None:
                continue
            sess = ort_session(p)
            acc = {}
            for _, feeds, ref in cases:
                got = ort_run(sess, feeds)
                merge_max(acc, compare(ref, {n: got[n] for n in ref}))
            passed = within(dt, acc)
            ok = ok and passed
            at = placed.get(dt, {}).get(name)
            report_graphs[gname][dt] = {
                "file": os.path.relpath(at, out).replace(os.sep, "/") if at else None,
                "bytes": os.path.getsize(p),
                "ok": passed,
                "max_abs_diff": {n: e["max_abs"] for n, e in acc.items()},
                "detail": acc,
            }
            log_check(gname, dt, acc, passed)
    return ok, report_graphs


def check_chains(paths, dims, dtypes, rng):
    """The decoder then the decoder with past vs the decoder alone. Returns (fp32 passed, diffs)."""
    ok, chains = True, {}
    for dt in dtypes:
        p = paths.get(dt, {})
        if "decoder" in p and "decoder_with_past" in p:
            chains[dt] = chain_check(p, dims, rng)
            worst = max(chains[dt].values())
            log(f"chain {dt}: decoder with past after the decoder vs the decoder alone, max_abs={worst:.3e}")
            if dt == "fp32" and worst > TOLERANCES["fp32"]["abs"]:
                ok = False
    return ok, chains


def merge_all(paths, dtypes, work_dir, dims, notes):
    """The merged decoder of every dtype, from that dtype's two split decoders."""
    for dt in dtypes:
        p = paths.get(dt, {})
        if "decoder" in p and "decoder_with_past" in p:
            dst = os.path.join(work_dir, "merged" + DTYPE_SUFFIX[dt] + ".onnx")
            stats = merge_decoders(p["decoder"], p["decoder_with_past"], dst, dims.n_layers)
            notes.setdefault("merged_weights", {})[dt] = stats
            p["merged"] = dst
            log(f"merged decoder {dt}: {os.path.getsize(dst)} bytes ({stats['weights']} of {stats['weights_in_split']} weights kept)")


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
    os.makedirs(out, exist_ok=True)
    dtypes = [d for d in ALL_DTYPES if d in args.dtype]
    log(f"src={src} out={out} dtypes={dtypes} ctx={args.ctx_encoder}")

    rag_config, model, ctx_model, ctx_config, gen_cfg_mode = load_sources(src, out, args.ctx_encoder, args.layout)
    dims = Dims(rag_config, ctx_config)
    dims.shared_cross = args.cross_attention == "shared"
    wrappers = build_wrappers(torch, model, ctx_model, dims.shared_cross)
    names = exported_roles(args.layout, ctx_model is not None)
    log(
        "attn_implementation:",
        getattr(model.rag.generator.config, "_attn_implementation", None),
        getattr(model.rag.question_encoder.config, "_attn_implementation", None),
    )

    # Every graph is built and checked in a scratch folder, then copied to where the layout puts it.
    work_dir = tempfile.mkdtemp(prefix="export_rag_")
    fp32_paths = export_fp32(torch, wrappers, names, dims, rng, work_dir)
    notes = {}
    paths = convert_dtypes(fp32_paths, names, dtypes, work_dir, notes)
    if args.layout != "split":
        merge_all(paths, dtypes, work_dir, dims, notes)
    placed = place(paths, destinations(args.layout, out, names, dims.n_layers), dtypes)
    graphs_ok, report_graphs = check_graphs(torch, wrappers, names, dims, dtypes, paths, placed, rng, out)
    chains_ok, chains = check_chains(paths, dims, dtypes, rng)
    shared_ok, shared = True, None
    if dims.shared_cross and "decoder" in names:
        shared = shared_cross_check(torch, wrappers, dims, rng)
        worst = max(shared.values())
        shared_ok = worst <= TOLERANCES["fp32"]["abs"]
        log(f"shared cross-attention vs transformers' per-row attention: max_abs={worst:.3e} {'ok' if shared_ok else 'FAIL'}")
    ok = not notes.get("errors") and graphs_ok and chains_ok and shared_ok
    for folder_path in sorted(set(part_dirs(args.layout, out).values())):
        if os.path.isdir(folder_path):
            write_manifest(folder_path)

    report = {
        "ok": ok,
        "source": args.src,
        "layout": args.layout,
        "cross_attention": args.cross_attention,
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
        "shared_cross_check": shared,
        "io": {role_graph(name).name: graph_io(fp32_paths[name]) for name in names},
        "notes": notes,
        "seconds": round(time.time() - t0, 1),
    }
    with open(os.path.join(out, "export_report.json"), "w") as f:
        json.dump(report, f, indent=1)
    shutil.rmtree(work_dir, ignore_errors=True)
    log(f"{'OK' if ok else 'FAILED'} in {time.time() - t0:.1f}s -> {os.path.join(out, 'export_report.json')}")
    return 0 if ok else 1

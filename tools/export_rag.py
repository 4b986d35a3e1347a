#!/usr/bin/env python3
"""Export a Hugging Face `transformers` RAG checkpoint (DPR question encoder +
BART generator) to the ONNX layout that rag-web's TypeScript loader reads.

    python3 tools/export_rag.py SRC OUT [--dtype fp32 fp16 q8 q4] [--ctx-encoder CTX_SRC]

SRC is a folder written by `save_pretrained` of RagTokenForGeneration or
RagSequenceForGeneration (or a hub id, where the hub can be reached).
CTX_SRC is an optional DPR context-encoder folder (config, weights, tokenizer).

Every exported graph, in every dtype, is checked against PyTorch with
onnxruntime (CPU) on random inputs whose batch sizes and lengths differ from
those used at export; the differences go to OUT/export_report.json and the
exit status is non-zero when a check fails (see TOLERANCES below and
tools/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import numpy as np

OPSET = 17
DTYPE_SUFFIX = {"fp32": "", "fp16": "_fp16", "q8": "_quantized", "q4": "_q4"}
ALL_DTYPES = list(DTYPE_SUFFIX)

# fp32: absolute bound on every output.  Other dtypes: bound on the relative
# error  max|ort - torch| / max(1, max|torch|)  of every output (the quantized
# bounds are loose sanity bounds: they catch a broken graph, not a few percent
# of quantization noise; the exact numbers are in export_report.json).
TOLERANCES = {
    "fp32": {"abs": 1e-4},
    "fp16": {"rel": 1e-2},
    "q8": {"rel": 0.3},
    "q4": {"rel": 0.6},
}

# Shapes used to trace the graphs, and the different ones used to check them.
EXPORT_SHAPES = {"batch": 2, "seq": 5, "enc_seq": 6, "dec_seq": 3, "past": 3}
CHECK_CASES = {
    "encoder": [(3, 7), (1, 4)],  # (batch, seq)
    "decoder_model": [(3, 7, 1), (3, 7, 5), (1, 4, 2)],  # (batch, enc_seq, dec_seq)
    "decoder_with_past_model": [(3, 7, 4), (2, 5, 1)],  # (batch, enc_seq, past)
}


def log(*a):
    print("[export_rag]", *a, flush=True)


# --------------------------------------------------------------------------
# Source resolution and non-ONNX files
# --------------------------------------------------------------------------


def resolve_src(src: str) -> str:
    if os.path.isdir(src):
        return src
    from huggingface_hub import snapshot_download  # only where the hub is reachable

    return snapshot_download(repo_id=src)


def copy_tokenizer(src_dir: str, dst_dir: str):
    """Write tokenizer.json + tokenizer_config.json of the tokenizer in src_dir."""
    os.makedirs(dst_dir, exist_ok=True)
    tj = os.path.join(src_dir, "tokenizer.json")
    tc = os.path.join(src_dir, "tokenizer_config.json")
    if os.path.isfile(tj) and os.path.isfile(tc):
        for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
            p = os.path.join(src_dir, name)
            if os.path.isfile(p):
                shutil.copyfile(p, os.path.join(dst_dir, name))
        return
    # No tokenizer.json (e.g. vocab.txt / vocab.json + merges.txt): let
    # transformers build the tokenizers-backed tokenizer and save it.
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(src_dir)
    with tempfile.TemporaryDirectory() as tmp:
        tok.save_pretrained(tmp)
        for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
            p = os.path.join(tmp, name)
            if os.path.isfile(p):
                shutil.copyfile(p, os.path.join(dst_dir, name))
    if not os.path.isfile(os.path.join(dst_dir, "tokenizer.json")):
        raise RuntimeError(f"could not produce tokenizer.json for {src_dir}")


def write_generation_config(src_dir: str, out_dir: str, model):
    p = os.path.join(src_dir, "generation_config.json")
    dst = os.path.join(out_dir, "generation_config.json")
    if os.path.isfile(p):
        shutil.copyfile(p, dst)
        return "copied"
    from transformers import GenerationConfig

    gc = GenerationConfig.from_model_config(model.config)
    gen_cfg = model.config.generator
    for key in ("bos_token_id", "eos_token_id", "pad_token_id", "decoder_start_token_id", "forced_eos_token_id"):
        if getattr(gc, key, None) is None and getattr(gen_cfg, key, None) is not None:
            setattr(gc, key, getattr(gen_cfg, key))
    with open(dst, "w") as f:
        f.write(gc.to_json_string())
    return "from_model_config"


# --------------------------------------------------------------------------
# Wrappers (what each ONNX graph computes)
# --------------------------------------------------------------------------


def build_wrappers(torch, rag_model, ctx_model):
    from torch import nn
    from transformers.cache_utils import DynamicCache, EncoderDecoderCache
    from transformers.modeling_outputs import BaseModelOutput

    gen = rag_model.rag.generator
    n_layers = gen.config.decoder_layers

    def cache_kv(cache, i):
        layers = getattr(cache, "layers", None)
        if layers is not None:
            return layers[i].keys, layers[i].values
        if hasattr(cache, "key_cache"):
            return cache.key_cache[i], cache.value_cache[i]
        return cache[i][0], cache[i][1]

    class DprPooled(nn.Module):
        def __init__(self, enc):
            super().__init__()
            self.enc = enc

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.enc(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=token_type_ids,
                return_dict=True,
            )
            return out.pooler_output

    class GenEncoder(nn.Module):
        def __init__(self, gen):
            super().__init__()
            self.encoder = gen.get_encoder() if hasattr(gen, "get_encoder") else gen.model.encoder

        def forward(self, input_ids, attention_mask):
            return self.encoder(input_ids=input_ids, attention_mask=attention_mask, return_dict=True).last_hidden_state

    class GenDecoder(nn.Module):
        """First step / full forward: logits + all present K/V."""

        def __init__(self, gen):
            super().__init__()
            self.gen = gen

        def forward(self, input_ids, encoder_hidden_states, encoder_attention_mask):
            cache = EncoderDecoderCache(DynamicCache(), DynamicCache())
            out = self.gen(
                attention_mask=encoder_attention_mask,
                encoder_outputs=BaseModelOutput(last_hidden_state=encoder_hidden_states),
                decoder_input_ids=input_ids,
                past_key_values=cache,
                use_cache=True,
                return_dict=True,
            )
            pkv = out.past_key_values
            flat = []
            for i in range(n_layers):
                dk, dv = cache_kv(pkv.self_attention_cache, i)
                ek, ev = cache_kv(pkv.cross_attention_cache, i)
                flat += [dk, dv, ek, ev]
            return (out.logits, *flat)

    class GenDecoderWithPast(nn.Module):
        """One step with past: cross-attention K/V come from the past."""

        def __init__(self, gen):
            super().__init__()
            self.gen = gen

        def forward(self, input_ids, encoder_attention_mask, *past):
            self_cache, cross_cache = DynamicCache(), DynamicCache()
            for i in range(n_layers):
                dk, dv, ek, ev = past[4 * i : 4 * i + 4]
                self_cache.update(dk, dv, i)
                cross_cache.update(ek, ev, i)
            cache = EncoderDecoderCache(self_cache, cross_cache)
            # BART only runs cross-attention when encoder_hidden_states is given;
            # its values are never read here (the cross K/V come from the cache),
            # only its shape (batch, enc_seq, d_model) for the cross mask.
            ek0 = past[2]
            enc_stub = ek0.transpose(1, 2).flatten(2)
            out = self.gen(
                attention_mask=encoder_attention_mask,
                encoder_outputs=BaseModelOutput(last_hidden_state=enc_stub),
                decoder_input_ids=input_ids,
                past_key_values=cache,
                use_cache=True,
                return_dict=True,
            )
            pkv = out.past_key_values
            flat = []
            for i in range(n_layers):
                dk, dv = cache_kv(pkv.self_attention_cache, i)
                flat += [dk, dv]
            return (out.logits, *flat)

    wrappers = {
        "question_encoder": DprPooled(rag_model.rag.question_encoder),
        "encoder_model": GenEncoder(gen),
        "decoder_model": GenDecoder(gen),
        "decoder_with_past_model": GenDecoderWithPast(gen),
    }
    if ctx_model is not None:
        wrappers["ctx_encoder"] = DprPooled(ctx_model)
    for w in wrappers.values():
        w.eval()
    return wrappers


# --------------------------------------------------------------------------
# Graph specs: names, dynamic axes, example inputs
# --------------------------------------------------------------------------


def kv_names(prefix, n_layers, with_encoder=True):
    names = []
    for i in range(n_layers):
        names += [f"{prefix}.{i}.decoder.key", f"{prefix}.{i}.decoder.value"]
        if with_encoder:
            names += [f"{prefix}.{i}.encoder.key", f"{prefix}.{i}.encoder.value"]
    return names


class Dims:
    def __init__(self, rag_config, ctx_config):
        g = rag_config.generator
        q = rag_config.question_encoder
        self.q_vocab = q.vocab_size
        self.q_hidden = q.hidden_size if not getattr(q, "projection_dim", 0) else q.projection_dim
        self.ctx_vocab = ctx_config.vocab_size if ctx_config is not None else None
        self.g_vocab = g.vocab_size
        self.d_model = g.d_model
        self.n_layers = g.decoder_layers
        self.heads = g.decoder_attention_heads
        self.head_dim = g.d_model // g.decoder_attention_heads
        self.q_type_vocab = getattr(q, "type_vocab_size", 2)


def make_inputs(name, dims: Dims, rng, batch, a, b=None):
    """Example inputs (numpy) for graph `name`. Lengths a/b mean:
    question/ctx/encoder: a=seq; decoder_model: a=enc_seq, b=dec_seq;
    decoder_with_past_model: a=enc_seq, b=past."""

    def mask(bsz, length):
        m = np.ones((bsz, length), dtype=np.int64)
        for r in range(1, bsz):  # later rows padded on the right
            keep = max(1, length - 2 * r)
            m[r, keep:] = 0
        return m

    if name in ("question_encoder", "ctx_encoder"):
        vocab = dims.q_vocab if name == "question_encoder" else dims.ctx_vocab
        ids = rng.integers(5, vocab, size=(batch, a), dtype=np.int64)
        tt = np.zeros((batch, a), dtype=np.int64)
        if dims.q_type_vocab > 1:
            tt[:, a // 2 :] = 1
        return {"input_ids": ids, "attention_mask": mask(batch, a), "token_type_ids": tt}
    if name == "encoder_model":
        return {
            "input_ids": rng.integers(3, dims.g_vocab, size=(batch, a), dtype=np.int64),
            "attention_mask": mask(batch, a),
        }
    if name == "decoder_model":
        return {
            "input_ids": rng.integers(3, dims.g_vocab, size=(batch, b), dtype=np.int64),
            "encoder_hidden_states": rng.standard_normal((batch, a, dims.d_model)).astype(np.float32),
            "encoder_attention_mask": mask(batch, a),
        }
    if name == "decoder_with_past_model":
        feeds = {
            "input_ids": rng.integers(3, dims.g_vocab, size=(batch, 1), dtype=np.int64),
            "encoder_attention_mask": mask(batch, a),
        }
        for i in range(dims.n_layers):
            for kind, length in (("decoder", b), ("encoder", a)):
                for kv in ("key", "value"):
                    feeds[f"past_key_values.{i}.{kind}.{kv}"] = rng.standard_normal(
                        (batch, dims.heads, length, dims.head_dim)
                    ).astype(np.float32)
        return feeds
    raise KeyError(name)


def graph_spec(name, dims: Dims):
    L = dims.n_layers
    if name in ("question_encoder", "ctx_encoder"):
        ins = ["input_ids", "attention_mask", "token_type_ids"]
        outs = ["pooler_output"]
        dyn = {k: {0: "batch", 1: "seq"} for k in ins}
        dyn["pooler_output"] = {0: "batch"}
    elif name == "encoder_model":
        ins = ["input_ids", "attention_mask"]
        outs = ["last_hidden_state"]
        dyn = {k: {0: "batch", 1: "enc_seq"} for k in ins}
        dyn["last_hidden_state"] = {0: "batch", 1: "enc_seq"}
    elif name == "decoder_model":
        ins = ["input_ids", "encoder_hidden_states", "encoder_attention_mask"]
        outs = ["logits"] + kv_names("present", L)
        dyn = {
            "input_ids": {0: "batch", 1: "dec_seq"},
            "encoder_hidden_states": {0: "batch", 1: "enc_seq"},
            "encoder_attention_mask": {0: "batch", 1: "enc_seq"},
            "logits": {0: "batch", 1: "dec_seq"},
        }
        for n in outs[1:]:
            dyn[n] = {0: "batch", 2: "dec_seq" if ".decoder." in n else "enc_seq"}
    elif name == "decoder_with_past_model":
        past = kv_names("past_key_values", L)
        ins = ["input_ids", "encoder_attention_mask"] + past
        outs = ["logits"] + kv_names("present", L, with_encoder=False)
        dyn = {
            "input_ids": {0: "batch", 1: "dec_seq"},
            "encoder_attention_mask": {0: "batch", 1: "enc_seq"},
            "logits": {0: "batch", 1: "dec_seq"},
        }
        for n in past:
            dyn[n] = {0: "batch", 2: "past_seq" if ".decoder." in n else "enc_seq"}
        for n in outs[1:]:
            dyn[n] = {0: "batch", 2: "total_seq"}
    else:
        raise KeyError(name)
    return ins, outs, dyn


def export_shapes_args(name):
    s = EXPORT_SHAPES
    if name in ("question_encoder", "ctx_encoder", "encoder_model"):
        return (s["batch"], s["seq"], None)
    if name == "decoder_model":
        return (s["batch"], s["enc_seq"], s["dec_seq"])
    return (s["batch"], s["enc_seq"], s["past"])


def check_cases(name):
    if name in ("question_encoder", "ctx_encoder", "encoder_model"):
        return [(b, s, None) for b, s in CHECK_CASES["encoder"]]
    return list(CHECK_CASES[name])


# --------------------------------------------------------------------------
# dtype conversions
# --------------------------------------------------------------------------


def convert_fp16_weights(src_path, dst_path):
    """Store float32 initializers as float16, each followed by a Cast back to
    float32. Graph inputs/outputs and the arithmetic stay float32."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(src_path)
    g = model.graph
    keep, new_inits, casts = [], [], []
    for init in g.initializer:
        if init.data_type == TensorProto.FLOAT:
            arr = numpy_helper.to_array(init)
            if arr.size >= 16 and np.all(np.isfinite(arr)) and np.max(np.abs(arr)) < 60000:
                h = numpy_helper.from_array(arr.astype(np.float16), init.name + "__fp16")
                new_inits.append(h)
                casts.append(
                    helper.make_node("Cast", [h.name], [init.name], to=TensorProto.FLOAT, name=init.name + "__cast")
                )
                continue
        keep.append(init)
    del g.initializer[:]
    g.initializer.extend(keep + new_inits)
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(casts + nodes)
    onnx.checker.check_model(model)
    onnx.save(model, dst_path)


def quantize_q8(src_path, dst_path):
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        src_path,
        dst_path,
        op_types_to_quantize=["MatMul", "Gather"],
        per_channel=False,
        reduce_range=False,
        weight_type=QuantType.QInt8,
        extra_options={"MatMulConstBOnly": True},
    )


def quantize_q4(src_path, dst_path):
    import onnx

    try:
        from onnxruntime.quantization.matmul_4bits_quantizer import MatMul4BitsQuantizer

        q = MatMul4BitsQuantizer(onnx.load(src_path), block_size=32, is_symmetric=True)
    except ImportError:
        from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

        q = MatMulNBitsQuantizer(onnx.load(src_path), block_size=32, is_symmetric=True, bits=4)
    q.process()
    m = q.model.model if hasattr(q.model, "model") else q.model
    onnx.save(m, dst_path)
    n_nbits = sum(1 for n in m.graph.node if n.op_type == "MatMulNBits")
    if n_nbits == 0:
        raise RuntimeError("MatMul4BitsQuantizer quantized no MatMul")
    return n_nbits


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------


def graph_io(path):
    import onnx

    m = onnx.load(path, load_external_data=False)

    def desc(v):
        t = v.type.tensor_type
        dims = [d.dim_param if d.dim_param else d.dim_value for d in t.shape.dim]
        return {"name": v.name, "type": onnx.TensorProto.DataType.Name(t.elem_type).lower(), "shape": dims}

    ops = sorted({n.op_type for n in m.graph.node})
    return {"inputs": [desc(v) for v in m.graph.input], "outputs": [desc(v) for v in m.graph.output], "ops": ops}


def ort_session(path):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.log_severity_level = 3
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def ort_run(sess, feeds):
    names = [o.name for o in sess.get_outputs()]
    wanted = {i.name for i in sess.get_inputs()}
    res = sess.run(None, {k: v for k, v in feeds.items() if k in wanted})
    return dict(zip(names, res))


def torch_run(torch, wrapper, in_names, out_names, feeds):
    with torch.no_grad():
        outs = wrapper(*[torch.from_numpy(feeds[n]) for n in in_names])
    if not isinstance(outs, (tuple, list)):
        outs = (outs,)
    return {n: o.detach().cpu().numpy() for n, o in zip(out_names, outs)}


def compare(ref: dict, got: dict):
    per = {}
    for n, r in ref.items():
        g = got[n]
        if g.shape != r.shape:
            per[n] = {"shape_mismatch": [list(g.shape), list(r.shape)], "max_abs": float("inf"), "rel": float("inf")}
            continue
        d = np.abs(g.astype(np.float64) - r.astype(np.float64))
        max_abs = float(d.max()) if d.size else 0.0
        if not np.all(np.isfinite(g)):
            max_abs = float("inf")
        scale = max(1.0, float(np.abs(r).max()) if r.size else 1.0)
        l2 = float(np.linalg.norm(r.astype(np.float64)))
        entry = {
            "max_abs": max_abs,
            "rel": max_abs / scale,
            "rel_l2": float(np.linalg.norm((g - r).astype(np.float64)) / l2) if l2 > 0 else 0.0,
        }
        if n == "logits":
            entry["argmax_agree"] = float(np.mean(np.argmax(g, -1) == np.argmax(r, -1)))
        per[n] = entry
    return per


def merge_max(acc: dict, per: dict):
    for n, e in per.items():
        if n not in acc:
            acc[n] = dict(e)
            continue
        for k, v in e.items():
            if k == "argmax_agree":
                acc[n][k] = min(acc[n][k], v)
            elif isinstance(v, float):
                acc[n][k] = max(acc[n][k], v)
            else:
                acc[n][k] = v
    return acc


def within(dtype, per: dict):
    tol = TOLERANCES[dtype]
    for e in per.values():
        if "shape_mismatch" in e or not np.isfinite(e["max_abs"]):
            return False
        if "abs" in tol and e["max_abs"] > tol["abs"]:
            return False
        if "rel" in tol and e["rel"] > tol["rel"]:
            return False
    return True


def chain_check(paths, dims: Dims, rng):
    """decoder_model on 5 tokens vs decoder_model on 4 + decoder_with_past on the 5th."""
    full = ort_session(paths["decoder_model"])
    step = ort_session(paths["decoder_with_past_model"])
    b, e = 3, 7
    feeds = make_inputs("decoder_model", dims, rng, b, e, 5)
    out5 = ort_run(full, feeds)
    f4 = dict(feeds, input_ids=feeds["input_ids"][:, :4])
    out4 = ort_run(full, f4)
    sf = {"input_ids": feeds["input_ids"][:, 4:5], "encoder_attention_mask": feeds["encoder_attention_mask"]}
    for n, v in out4.items():
        if n.startswith("present."):
            sf["past_key_values." + n[len("present.") :]] = v
    o = ort_run(step, sf)
    diff = {"logits": float(np.abs(o["logits"][:, 0] - out5["logits"][:, 4]).max())}
    for i in range(dims.n_layers):
        for kv in ("key", "value"):
            n = f"present.{i}.decoder.{kv}"
            diff[n] = float(np.abs(o[n] - out5[n]).max())
    return diff


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--dtype", nargs="+", default=["fp32", "q8"], choices=ALL_DTYPES)
    ap.add_argument("--ctx-encoder", default=None, help="DPR context encoder folder (config, weights, tokenizer)")
    ap.add_argument("--seed", type=int, default=1234, help="seed of the random check inputs")
    args = ap.parse_args(argv)

    t0 = time.time()
    import onnx
    import onnxruntime
    import torch
    import transformers
    from transformers import DPRContextEncoder, RagConfig, RagTokenForGeneration

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    src = resolve_src(args.src)
    out = args.out
    onnx_dir = os.path.join(out, "onnx")
    os.makedirs(onnx_dir, exist_ok=True)
    dtypes = [d for d in ALL_DTYPES if d in args.dtype]
    log(f"src={src} out={out} dtypes={dtypes} ctx={args.ctx_encoder}")

    # ---- config, tokenizers, generation config --------------------------------
    shutil.copyfile(os.path.join(src, "config.json"), os.path.join(out, "config.json"))
    rag_config = RagConfig.from_pretrained(src)
    if rag_config.generator.model_type not in ("bart",):
        raise SystemExit(f"generator model_type {rag_config.generator.model_type!r} is not supported (BART only)")
    if rag_config.question_encoder.model_type != "dpr":
        raise SystemExit(f"question encoder model_type {rag_config.question_encoder.model_type!r} is not DPR")
    copy_tokenizer(os.path.join(src, "question_encoder_tokenizer"), os.path.join(out, "question_encoder_tokenizer"))
    copy_tokenizer(os.path.join(src, "generator_tokenizer"), os.path.join(out, "generator_tokenizer"))

    model = RagTokenForGeneration.from_pretrained(src)
    model.eval()
    gen_cfg_mode = write_generation_config(src, out, model)

    ctx_model, ctx_config = None, None
    if args.ctx_encoder:
        ctx_src = resolve_src(args.ctx_encoder)
        ctx_model = DPRContextEncoder.from_pretrained(ctx_src)
        ctx_model.eval()
        ctx_config = ctx_model.config
        shutil.copyfile(os.path.join(ctx_src, "config.json"), os.path.join(out, "ctx_encoder_config.json"))
        copy_tokenizer(ctx_src, os.path.join(out, "ctx_encoder_tokenizer"))

    dims = Dims(rag_config, ctx_config)
    wrappers = build_wrappers(torch, model, ctx_model)
    names = ["question_encoder"] + (["ctx_encoder"] if ctx_model is not None else [])
    names += ["encoder_model", "decoder_model", "decoder_with_past_model"]
    log(
        "attn_implementation:",
        getattr(model.rag.generator.config, "_attn_implementation", None),
        getattr(model.rag.question_encoder.config, "_attn_implementation", None),
    )

    # ---- fp32 export -------------------------------------------------------------
    tmp_dir = tempfile.mkdtemp(prefix="export_rag_")
    fp32_paths = {}
    for name in names:
        ins, outs, dyn = graph_spec(name, dims)
        b, a, c = export_shapes_args(name)
        feeds = make_inputs(name, dims, rng, b, a, c)
        path = os.path.join(onnx_dir if "fp32" in dtypes else tmp_dir, name + ".onnx")
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
        fp32_paths[name] = path
        log(f"exported {name} ({os.path.getsize(path)} bytes)")

    # ---- other dtypes --------------------------------------------------------------
    paths = {"fp32": fp32_paths}
    notes = {}
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

    # ---- checks against PyTorch ----------------------------------------------------
    report_graphs = {}
    ok = not notes.get("errors")
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
            worst = max(e["max_abs"] for e in acc.values())
            worst_rel = max(e["rel"] for e in acc.values())
            log(f"check {name:24s} {dt:5s} max_abs={worst:.3e} rel={worst_rel:.3e} {'ok' if passed else 'FAIL'}")
            for n, e in acc.items():
                extra = f" argmax_agree={e['argmax_agree']:.3f}" if "argmax_agree" in e else ""
                log(f"    {n:34s} max_abs={e['max_abs']:.3e} rel={e['rel']:.3e} rel_l2={e['rel_l2']:.3e}{extra}")

    chains = {}
    for dt in dtypes:
        p = paths.get(dt, {})
        if "decoder_model" in p and "decoder_with_past_model" in p:
            chains[dt] = chain_check(p, dims, rng)
            worst = max(chains[dt].values())
            log(f"chain {dt}: decoder_with_past after decoder_model vs decoder_model, max_abs={worst:.3e}")
            if dt == "fp32" and worst > TOLERANCES["fp32"]["abs"]:
                ok = False

    report = {
        "ok": ok,
        "source": args.src,
        "ctx_encoder": args.ctx_encoder,
        "versions": {
            "python": sys.version.split()[0],
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "onnx": onnx.__version__,
            "onnxruntime": onnxruntime.__version__,
            "numpy": np.__version__,
        },
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


if __name__ == "__main__":
    sys.exit(main())

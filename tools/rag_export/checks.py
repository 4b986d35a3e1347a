"""Checks of the exported graphs: onnxruntime (CPU) against the PyTorch wrappers."""

from __future__ import annotations

import numpy as np

from .common import TOLERANCES
from .graphs import Dims, make_inputs


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
    """The decoder on 5 tokens vs the decoder on 4 + the decoder with past on the 5th."""
    full = ort_session(paths["decoder"])
    step = ort_session(paths["decoder_with_past"])
    b, e = 3, 7
    feeds = make_inputs("decoder", dims, rng, b, e, 5)
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


def shared_cross_check(torch, wrappers, dims: Dims, rng):
    """Shared cross-attention against transformers' own per-row attention: the decoders' wrappers
    on the shared inputs vs the same wrappers on the encoder side expanded to every decoder row
    (rows (batch, group, doc) read encoder row batch * n_docs + doc), as RAG's generate expands it.
    Returns the max abs difference per output over both decoders."""
    from .graphs import graph_spec

    diff = {}
    for name, enc_len, dec_len in (("decoder", 7, 3), ("decoder_with_past", 7, 4)):
        ins, outs, _ = graph_spec(name, dims)
        feeds = make_inputs(name, dims, rng, 2, enc_len, dec_len)
        batch, n_docs, _ = feeds["encoder_attention_mask"].shape
        rows = feeds["input_ids"].shape[0]
        groups = rows // (batch * n_docs)
        expand = np.array([(r // (groups * n_docs)) * n_docs + r % n_docs for r in range(rows)])
        per_row = dict(feeds, encoder_attention_mask=feeds["encoder_attention_mask"].reshape(batch * n_docs, -1)[expand])
        for n in ins:
            if n == "encoder_hidden_states" or ".encoder." in n:
                per_row[n] = feeds[n][expand]
        shared = torch_run(torch, wrappers[name], ins, outs, feeds)
        ref = torch_run(torch, wrappers[name], ins, outs, per_row)
        for n, r in ref.items():
            got = shared[n][expand] if ".encoder." in n else shared[n]
            diff[f"{name}/{n}"] = float(np.abs(got - r).max())
    return diff

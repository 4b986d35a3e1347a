"""Graph names, I/O names, dynamic axes and example inputs of the exported graphs."""

from __future__ import annotations

import numpy as np

from .common import CHECK_CASES, EXPORT_SHAPES
from .layout import graph

# The graphs the exporter traces, by role, and where the layout contract (layouts.json) names them.
ROLES = {
    "question": ("dpr-question", "encoder"),
    "ctx": ("dpr-ctx", "encoder"),
    "bert": ("bert-feature-extraction", "encoder"),
    "ctx_bert": ("bert-feature-extraction", "encoder"),
    "encoder": ("bart-split", "encoder"),
    "decoder": ("bart-split", "decoder"),
    "decoder_with_past": ("bart-split", "decoderWithPast"),
}
DPR_ROLES = ("question", "ctx", "bert", "ctx_bert")
ENCODER_ROLES = DPR_ROLES + ("encoder",)


def role_graph(role, n_layers=0):
    return graph(*ROLES[role], n_layers)


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
        # Decoders with shared cross-attention (wrappers.shared_cross_attention); set by main.
        self.shared_cross = False


# Example batches of a shared-cross-attention decoder: `batch` items of SHARED_DOCS documents
# each, SHARED_GROUPS decoder rows (beams) per document, so that every split of the rows is traced.
SHARED_DOCS, SHARED_GROUPS = 2, 2


def make_inputs(name, dims: Dims, rng, batch, a, b=None):
    """Example inputs (numpy) for the graph of role `name`. Lengths a/b mean:
    question/ctx/encoder: a=seq; decoder: a=enc_seq, b=dec_seq;
    decoder_with_past: a=enc_seq, b=past. A shared-cross-attention decoder gets batch x
    SHARED_GROUPS x SHARED_DOCS decoder rows over batch x SHARED_DOCS encoder rows."""

    def mask(bsz, length):
        m = np.ones((bsz, length), dtype=np.int64)
        for r in range(1, bsz):  # later rows padded on the right
            keep = max(1, length - 2 * r)
            m[r, keep:] = 0
        return m

    if name in DPR_ROLES:
        vocab = dims.ctx_vocab if name in ("ctx", "ctx_bert") else dims.q_vocab
        ids = rng.integers(5, vocab, size=(batch, a), dtype=np.int64)
        tt = np.zeros((batch, a), dtype=np.int64)
        if dims.q_type_vocab > 1:
            tt[:, a // 2 :] = 1
        return {"input_ids": ids, "attention_mask": mask(batch, a), "token_type_ids": tt}
    if name == "encoder":
        return {
            "input_ids": rng.integers(3, dims.g_vocab, size=(batch, a), dtype=np.int64),
            "attention_mask": mask(batch, a),
        }
    rows, enc_rows = batch, batch
    enc_mask = mask(batch, a)
    if dims.shared_cross and name in ("decoder", "decoder_with_past"):
        enc_rows, rows = batch * SHARED_DOCS, batch * SHARED_DOCS * SHARED_GROUPS
        enc_mask = mask(enc_rows, a).reshape(batch, SHARED_DOCS, a)
    if name == "decoder":
        return {
            "input_ids": rng.integers(3, dims.g_vocab, size=(rows, b), dtype=np.int64),
            "encoder_hidden_states": rng.standard_normal((enc_rows, a, dims.d_model)).astype(np.float32),
            "encoder_attention_mask": enc_mask,
        }
    if name == "decoder_with_past":
        feeds = {
            "input_ids": rng.integers(3, dims.g_vocab, size=(rows, 1), dtype=np.int64),
            "encoder_attention_mask": enc_mask,
        }
        for i in range(dims.n_layers):
            for kind, n, length in (("decoder", rows, b), ("encoder", enc_rows, a)):
                for kv in ("key", "value"):
                    feeds[f"past_key_values.{i}.{kind}.{kv}"] = rng.standard_normal(
                        (n, dims.heads, length, dims.head_dim)
                    ).astype(np.float32)
        return feeds
    raise KeyError(name)


def graph_spec(name, dims: Dims):
    """(input names, output names, dynamic axes) of the graph of role `name`."""
    g = role_graph(name, dims.n_layers)
    ins, outs = g.inputs, g.outputs
    if name in DPR_ROLES:
        dyn = {k: {0: "batch", 1: "seq"} for k in ins}
        dyn.update({k: {0: "batch", 1: "seq"} if k == "last_hidden_state" else {0: "batch"} for k in outs})
    elif name == "encoder":
        dyn = {k: {0: "batch", 1: "enc_seq"} for k in ins + outs}
    elif name in ("decoder", "decoder_with_past"):
        # Shared cross-attention: the encoder side has its own row count and a (batch, n_docs, S) mask.
        enc_rows = "enc_rows" if dims.shared_cross else "batch"
        enc_mask = {0: "batch", 1: "n_docs", 2: "enc_seq"} if dims.shared_cross else {0: "batch", 1: "enc_seq"}
        rows = "rows" if dims.shared_cross else "batch"
        dyn = {"input_ids": {0: rows, 1: "dec_seq"}, "encoder_attention_mask": enc_mask, "logits": {0: rows, 1: "dec_seq"}}
        if name == "decoder":
            dyn["encoder_hidden_states"] = {0: enc_rows, 1: "enc_seq"}
            for n in outs[1:]:
                dyn[n] = {0: rows, 2: "dec_seq"} if ".decoder." in n else {0: enc_rows, 2: "enc_seq"}
        else:
            for n in ins[2:]:
                dyn[n] = {0: rows, 2: "past_seq"} if ".decoder." in n else {0: enc_rows, 2: "enc_seq"}
            for n in outs[1:]:
                dyn[n] = {0: rows, 2: "total_seq"}
    else:
        raise KeyError(name)
    return ins, outs, dyn


def export_shapes_args(name):
    s = EXPORT_SHAPES
    if name in ENCODER_ROLES:
        return (s["batch"], s["seq"], None)
    if name == "decoder":
        return (s["batch"], s["enc_seq"], s["dec_seq"])
    return (s["batch"], s["enc_seq"], s["past"])


def check_cases(name):
    if name in ENCODER_ROLES:
        return [(b, s, None) for b, s in CHECK_CASES["encoder"]]
    return list(CHECK_CASES[name])

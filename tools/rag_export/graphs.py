"""Graph names, I/O names, dynamic axes and example inputs of the exported graphs."""

from __future__ import annotations

import numpy as np

from .common import CHECK_CASES, DPR_GRAPHS, ENCODER_GRAPHS, EXPORT_SHAPES


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

    if name in DPR_GRAPHS:
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
    if name in DPR_GRAPHS:
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
    if name in ENCODER_GRAPHS:
        return (s["batch"], s["seq"], None)
    if name == "decoder_model":
        return (s["batch"], s["enc_seq"], s["dec_seq"])
    return (s["batch"], s["enc_seq"], s["past"])


def check_cases(name):
    if name in ENCODER_GRAPHS:
        return [(b, s, None) for b, s in CHECK_CASES["encoder"]]
    return list(CHECK_CASES[name])

"""Where the checked graphs and the non-ONNX files go, per output layout (tools/README.md):
`split`, `merged` and `split+merged` (both decoders) write one RAG folder; `transformers.js` writes one hub-style repo per part
(optimum's file names, config.json at each part's root) and a rag.json that combines them."""

from __future__ import annotations

import json
import os
import shutil

from .files import copy_tokenizer, write_generation_config
from .graphs import role_graph
from .layout import folder, graph

OUTPUT_LAYOUTS = ("split", "merged", "split+merged", "transformers.js")
# The RAG config.json's own fields go to rag.json; the sub-configs become the parts' config.json.
SUB_CONFIGS = ("question_encoder", "generator")


def part_dirs(layout, out):
    """Folder of each part (question_encoder, ctx_encoder, generator)."""
    if layout == "transformers.js":
        return {p: os.path.join(out, p) for p in ("question_encoder", "ctx_encoder", "generator")}
    return {p: out for p in ("question_encoder", "ctx_encoder", "generator")}


def exported_roles(layout, with_ctx):
    """Roles traced to torch.onnx (the split decoders are merged afterwards where asked)."""
    if layout == "transformers.js":
        first = ["bert"] + (["ctx_bert"] if with_ctx else [])
    else:
        first = ["question"] + (["ctx"] if with_ctx else [])
    return first + ["encoder", "decoder", "decoder_with_past"]


def destinations(layout, out, roles, n_layers):
    """role -> (folder, layout Graph) of every graph written; `merged` names the merged decoder."""
    dirs = part_dirs(layout, out)
    part = {"question": "question_encoder", "bert": "question_encoder", "ctx": "ctx_encoder", "ctx_bert": "ctx_encoder"}
    dest = {}
    for role in roles:
        if role in ("decoder", "decoder_with_past"):
            if layout in ("split", "split+merged"):
                dest[role] = (dirs["generator"], role_graph(role, n_layers))
            continue
        dest[role] = (dirs[part.get(role, "generator")], role_graph(role, n_layers))
    if layout != "split":
        dest["merged"] = (dirs["generator"], graph("bart-merged", "decoderMerged", n_layers))
    return dest


def place(paths, dest, dtypes):
    """Copies each checked graph to its place; returns {dtype: {role: path}}."""
    placed = {}
    for dt in dtypes:
        for role, (folder_path, g) in dest.items():
            src = paths.get(dt, {}).get(role)
            if src is None:
                continue
            dst = os.path.join(folder_path, g.path(dt))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(src, dst)
            placed.setdefault(dt, {})[role] = dst
    return placed


def write_rag_folder(src, out, model, ctx_src):
    """config.json, tokenizers, generation config (and the ctx encoder's) in one folder."""
    rag = folder("rag", "question_encoder"), folder("rag", "generator"), folder("rag", "ctx_encoder")
    shutil.copyfile(os.path.join(src, "config.json"), os.path.join(out, "config.json"))
    copy_tokenizer(os.path.join(src, "question_encoder_tokenizer"), os.path.join(out, rag[0]["tokenizer"]))
    copy_tokenizer(os.path.join(src, "generator_tokenizer"), os.path.join(out, rag[1]["tokenizer"]))
    mode = write_generation_config(src, out, model)
    if ctx_src:
        shutil.copyfile(os.path.join(ctx_src, "config.json"), os.path.join(out, rag[2]["config"]))
        copy_tokenizer(ctx_src, os.path.join(out, rag[2]["tokenizer"]))
    return mode


def write_hub_parts(src, out, model, ctx_src):
    """One repo per part as optimum / transformers.js lay them out, and rag.json combining them."""
    from transformers import BertConfig

    dirs = part_dirs("transformers.js", out)
    with open(os.path.join(src, "config.json")) as f:
        rag_json = json.load(f)

    def bert_config(dpr_json, dst):
        fields = set(BertConfig().to_dict())
        cfg = BertConfig(**{k: v for k, v in dpr_json.items() if k in fields and k not in ("model_type", "architectures")})
        cfg.architectures = ["BertModel"]
        os.makedirs(dst, exist_ok=True)
        cfg.save_pretrained(dst)

    bert_config(rag_json["question_encoder"], dirs["question_encoder"])
    copy_tokenizer(os.path.join(src, "question_encoder_tokenizer"), dirs["question_encoder"])
    gen = model.config.generator
    gen.architectures = ["BartForConditionalGeneration"]
    gen.save_pretrained(dirs["generator"])
    copy_tokenizer(os.path.join(src, "generator_tokenizer"), dirs["generator"])
    mode = write_generation_config(src, dirs["generator"], model)
    parts = {"question_encoder": "question_encoder", "generator": "generator"}
    if ctx_src:
        with open(os.path.join(ctx_src, "config.json")) as f:
            bert_config(json.load(f), dirs["ctx_encoder"])
        copy_tokenizer(ctx_src, dirs["ctx_encoder"])
        parts["ctx_encoder"] = "ctx_encoder"
    config = {k: v for k, v in rag_json.items() if k not in SUB_CONFIGS}
    with open(os.path.join(out, "rag.json"), "w") as f:
        json.dump({**parts, "config": config}, f, indent=1)
        f.write("\n")
    return mode

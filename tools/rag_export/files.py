"""The non-ONNX files of an export: source folder, tokenizers, generation config."""

from __future__ import annotations

import os
import shutil
import tempfile

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


def resolve_src(src: str) -> str:
    if os.path.isdir(src):
        return src
    from huggingface_hub import snapshot_download  # only where the hub is reachable

    return snapshot_download(repo_id=src)


def _copy_present(src_dir: str, dst_dir: str):
    for name in TOKENIZER_FILES:
        p = os.path.join(src_dir, name)
        if os.path.isfile(p):
            shutil.copyfile(p, os.path.join(dst_dir, name))


def copy_tokenizer(src_dir: str, dst_dir: str):
    """Write tokenizer.json + tokenizer_config.json of the tokenizer in src_dir."""
    os.makedirs(dst_dir, exist_ok=True)
    tj = os.path.join(src_dir, "tokenizer.json")
    tc = os.path.join(src_dir, "tokenizer_config.json")
    if os.path.isfile(tj) and os.path.isfile(tc):
        _copy_present(src_dir, dst_dir)
        return
    # No tokenizer.json (e.g. vocab.txt / vocab.json + merges.txt): let
    # transformers build the tokenizers-backed tokenizer and save it.
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(src_dir)
    with tempfile.TemporaryDirectory() as tmp:
        tok.save_pretrained(tmp)
        _copy_present(tmp, dst_dir)
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

#!/usr/bin/env python3
"""Build rag-web's test fixtures, deterministically.

    python3 tools/make_fixtures.py [OUT_DIR] [--cases tiny-a tiny-b tiny-p hf-o1 hf-o2]
                                   [--hf-reference DIR] [--keep-going]

For each tiny case (tiny-a, tiny-b): a corpus cut from Python's own
`pydoc_data.topics`, WordPiece (DPR side) and byte-level BPE (BART side)
tokenizers trained on it, a RagTokenForGeneration whose question encoder is
trained DPR-style against the fixed index of a random context encoder and whose
generator is then trained a few hundred steps with the RAG-Token loss, its
`save_pretrained` checkpoint, an ONNX export (tools/export_rag.py) and
`reference.json` with values computed by `transformers`' own RAG classes
(CPU, float32, eval mode).  tiny-p: tiny-a's checkpoint, untrained further,
with a generator prefix that differs from the RAG-level prefix and quoted
passage titles (OUT_DIR/tiny-a or fixtures/tiny-a must exist).  For hf-o1 /
hf-o2: the shared reference checkpoints exported with the same exporter, their
reference files copied.

The code lives in tools/fixtures_lib/; see tools/README.md and fixtures/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fixtures_lib.common import REPO_DIR, dir_size, log  # noqa: E402
from fixtures_lib.export import build_hf_case, crosscheck, find_hf_reference  # noqa: E402
from fixtures_lib.prefix_case import build_prefix_case  # noqa: E402
from fixtures_lib.specs import ALL_CASES, CASES, HF_CASES, PREFIX_CASES  # noqa: E402
from fixtures_lib.tiny_case import build_tiny_case  # noqa: E402


def build_case(name, args, versions):
    if name in CASES:
        return build_tiny_case(name, CASES[name], args.out_dir, args, versions)
    if name in PREFIX_CASES:
        return build_prefix_case(name, PREFIX_CASES[name], args.out_dir, args, versions)
    hf_ref = find_hf_reference(args.hf_reference)
    if hf_ref is None:
        raise FileNotFoundError("shared hf-reference not found (use --hf-reference)")
    return build_hf_case(name, HF_CASES[name], hf_ref, args.out_dir, args)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir", nargs="?", default=os.path.join(REPO_DIR, "fixtures"))
    ap.add_argument("--cases", nargs="+", default=ALL_CASES, choices=ALL_CASES)
    ap.add_argument("--hf-reference", default=None, help="folder with o1/ and o2/ (shared/hf-reference)")
    ap.add_argument("--keep-going", action="store_true", help="go on with the other cases after a failure")
    ap.add_argument("--threads", type=int, default=8)
    args = ap.parse_args(argv)

    t0 = time.time()
    import onnx
    import onnxruntime
    import tokenizers
    import torch
    import transformers

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True, warn_only=True)
    versions = {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__,
        "onnx": onnx.__version__,
        "onnxruntime": onnxruntime.__version__,
        "numpy": np.__version__,
    }
    log("versions:", json.dumps(versions))
    os.makedirs(args.out_dir, exist_ok=True)
    manifest_path = os.path.join(args.out_dir, "manifest.json")
    manifest = {"versions": versions, "cases": {}}
    if os.path.isfile(manifest_path):
        with open(manifest_path) as f:
            old = json.load(f)
        manifest["cases"] = {k: v for k, v in old.get("cases", {}).items() if k not in args.cases}
        if manifest["cases"] and old.get("versions"):
            # the kept cases were built with the old versions; new ones record theirs where they differ
            manifest["versions"] = old["versions"]
    failures = []
    for name in args.cases:
        log(f"==== {name}")
        try:
            info = build_case(name, args, versions)
            if versions != manifest["versions"]:
                info["versions"] = versions
            info["crosscheck_fp32"] = crosscheck(os.path.join(args.out_dir, name))
            log(f"{name}: crosscheck fp32 ONNX vs reference: {info['crosscheck_fp32']}")
            info["bytes"] = dir_size(os.path.join(args.out_dir, name))
            manifest["cases"][name] = info
        except Exception as exc:
            traceback.print_exc()
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
            if not args.keep_going:
                break
    manifest["failures"] = failures
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=1)
    for name, info in manifest["cases"].items():
        log(f"{name}: {info.get('bytes', 0) / 1e6:.2f} MB, export {json.dumps(info.get('export'))}")
    log(f"done in {time.time() - t0:.1f}s; failures: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

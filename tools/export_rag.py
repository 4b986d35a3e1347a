#!/usr/bin/env python3
"""Export a Hugging Face `transformers` RAG checkpoint (DPR question encoder +
BART generator) to the ONNX layouts of packages/models/src/layout/layouts.json,
which rag-web's TypeScript loader reads.

    python3 tools/export_rag.py SRC OUT [--dtype fp32 fp16 q8 q4] [--ctx-encoder CTX_SRC]
                                        [--layout split|merged|split+merged|transformers.js]

The code lives in tools/rag_export/ (one module per part: layout, files,
wrappers, graphs, dtypes, merge, manifest, placement, checks, main); see
tools/README.md.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from rag_export.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())

"""Constants shared by the exporter's modules (see tools/README.md)."""

from __future__ import annotations

from .layout import DTYPE_SUFFIX

OPSET = 17
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
    "decoder": [(3, 7, 1), (3, 7, 5), (1, 4, 2)],  # (batch, enc_seq, dec_seq)
    "decoder_with_past": [(3, 7, 4), (2, 5, 1)],  # (batch, enc_seq, past)
}


def log(*a):
    print("[export_rag]", *a, flush=True)

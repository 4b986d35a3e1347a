"""The model-layout contract, read from packages/models/src/layout/layouts.json (the file the
TypeScript loader reads): graph files, I/O names, dtype suffixes, folder conventions."""

from __future__ import annotations

import json
import os

LAYOUTS_PATH = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "packages", "models", "src", "layout", "layouts.json"
)

with open(LAYOUTS_PATH) as _f:
    LAYOUTS = json.load(_f)

DTYPE_SUFFIX = dict(LAYOUTS["dtypeSuffix"])
TOKENIZER_FILES = tuple(LAYOUTS["tokenizerFiles"])


def expand_layers(names, layers):
    """Consecutive {layer} entries form a group, repeated layer by layer (as model-layout.ts)."""
    out, i = [], 0
    while i < len(names):
        if "{layer}" not in names[i]:
            out.append(names[i])
            i += 1
            continue
        end = i
        while end < len(names) and "{layer}" in names[end]:
            end += 1
        for layer in range(layers):
            out += [n.replace("{layer}", str(layer)) for n in names[i:end]]
        i = end
    return out


class Graph:
    """One graph of a graph set: `file` (no suffix), its I/O names for `layers` decoder layers."""

    def __init__(self, raw, layers):
        self.file = raw["file"]
        self.name = self.file.rsplit("/", 1)[-1]
        self.inputs = expand_layers(raw["inputs"], layers)
        self.outputs = expand_layers(raw["outputs"], layers)

    def path(self, dtype):
        return f"{self.file}{DTYPE_SUFFIX[dtype]}.onnx"


def graph(set_name, role, layers=0):
    return Graph(LAYOUTS["graphSets"][set_name]["graphs"][role], layers)


def folder(kind, part):
    return LAYOUTS["folders"][kind][part]

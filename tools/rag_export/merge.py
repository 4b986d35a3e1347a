"""The split decoders (first step, with past) -> one merged decoder (optimum's layout): an If on
`use_cache_branch` whose branches are the two graphs, their weights lifted into the outer graph
once each (the two graphs hold the same decoder weights, so the merged file keeps one copy)."""

from __future__ import annotations

import hashlib

from .layout import graph


def _weight_key(init):
    from onnx import numpy_helper

    arr = numpy_helper.to_array(init)
    return (init.data_type, tuple(init.dims), hashlib.sha256(arr.tobytes()).hexdigest())


def _branch(g, prefix, outer_inputs, weights, lifted, out_names, extra_outputs=()):
    """`g` as an If branch: its initializers replaced by shared outer ones, its values renamed
    `prefix`… so that the two branches' names never clash, its outputs in `out_names` order."""
    import onnx
    from onnx import helper

    rename = {}
    for init in g.initializer:
        key = _weight_key(init)
        if key not in weights:
            shared = onnx.TensorProto()
            shared.CopyFrom(init)
            shared.name = f"w{len(weights)}.{init.name}"
            weights[key] = shared.name
            lifted.append(shared)
        rename[init.name] = weights[key]
    for inp in g.input:
        if inp.name not in outer_inputs:
            raise ValueError(f"branch input {inp.name} is not an input of the merged graph")
        rename[inp.name] = inp.name
    nodes = []
    for node in g.node:
        n = onnx.NodeProto()
        n.CopyFrom(node)
        n.name = prefix + (node.name or node.output[0])
        for i, name in enumerate(n.input):
            if name:
                n.input[i] = rename.get(name, prefix + name)
        for i, name in enumerate(n.output):
            rename[name] = prefix + name
            n.output[i] = prefix + name
        nodes.append(n)
    nodes.extend(extra_outputs)
    by_name = {o.name: o for o in g.output}
    outputs = []
    for name in out_names:
        if name in by_name:
            src = by_name[name]
            outputs.append(helper.make_tensor_value_info(rename[name], src.type.tensor_type.elem_type, None))
        else:  # an empty placeholder made by extra_outputs
            outputs.append(helper.make_tensor_value_info(prefix + name, onnx.TensorProto.FLOAT, None))
    return helper.make_graph(nodes, prefix.rstrip("."), [], outputs)


def merge_decoders(decoder_path, with_past_path, dst_path, n_layers):
    import onnx
    from onnx import TensorProto, helper

    merged = graph("bart-merged", "decoderMerged", n_layers)
    first = onnx.load(decoder_path)
    step = onnx.load(with_past_path)
    values = {v.name: v for v in list(first.graph.input) + list(step.graph.input)}
    outer_inputs = []
    for name in merged.inputs:
        if name == "use_cache_branch":
            outer_inputs.append(helper.make_tensor_value_info(name, TensorProto.BOOL, [1]))
        else:
            outer_inputs.append(values[name])
    names = {v.name for v in outer_inputs}
    weights, lifted = {}, []
    no_cache = _branch(first.graph, "no_cache.", names, weights, lifted, merged.outputs)
    # With the cache the cross-attention presents would equal the inputs: empty placeholders
    # (as optimum writes them) tell the runtime to keep the previous ones.
    missing = [n for n in merged.outputs if n not in {o.name for o in step.graph.output}]
    empty = helper.make_tensor("empty", TensorProto.FLOAT, [1, 1, 0, 1], [])
    placeholders = [helper.make_node("Constant", [], ["with_cache." + n], value=empty, name="with_cache." + n) for n in missing]
    with_cache = _branch(step.graph, "with_cache.", names, weights, lifted, merged.outputs, placeholders)
    first_out = {o.name: o for o in first.graph.output}
    outer_outputs = [first_out[n] for n in merged.outputs]
    if_node = helper.make_node(
        "If", ["use_cache_branch"], merged.outputs, then_branch=with_cache, else_branch=no_cache, name="use_cache_branch"
    )
    g = helper.make_graph([if_node], graph("bart-merged", "decoderMerged").name, outer_inputs, outer_outputs, initializer=lifted)
    opsets = {}
    for m in (first, step):
        for o in m.opset_import:
            opsets[o.domain] = max(opsets.get(o.domain, 0), o.version)
    model = helper.make_model(g, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets.items()])
    model.ir_version = max(first.ir_version, step.ir_version)
    model.producer_name = first.producer_name
    model.producer_version = first.producer_version
    onnx.checker.check_model(model)
    onnx.save(model, dst_path)
    return {"weights": len(lifted), "weights_in_split": len(first.graph.initializer) + len(step.graph.initializer)}


def merge_folder(folder):
    """Adds the merged decoder of every dtype whose two split decoders are in `folder` (a RAG
    folder of the split layout): what `--layout split+merged` writes, without re-exporting."""
    import json
    import os

    from .layout import DTYPE_SUFFIX

    with open(os.path.join(folder, "config.json")) as f:
        n_layers = json.load(f)["generator"]["decoder_layers"]
    split = graph("bart-split", "decoder"), graph("bart-split", "decoderWithPast")
    target = graph("bart-merged", "decoderMerged")
    done = []
    for dt in DTYPE_SUFFIX:
        first, step = (os.path.join(folder, g.path(dt)) for g in split)
        if os.path.isfile(first) and os.path.isfile(step):
            merge_decoders(first, step, os.path.join(folder, target.path(dt)), n_layers)
            done.append(dt)
    return done


if __name__ == "__main__":
    import sys

    from .manifest import write_manifest

    for d in sys.argv[1:]:
        print(d, "merged:", merge_folder(d))
        write_manifest(d)

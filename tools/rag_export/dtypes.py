"""fp16 / q8 / q4 versions of the fp32 graphs (see the dtypes table in tools/README.md)."""

from __future__ import annotations

import numpy as np


def convert_fp16_weights(src_path, dst_path):
    """Store float32 initializers as float16, each followed by a Cast back to
    float32. Graph inputs/outputs and the arithmetic stay float32."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(src_path)
    g = model.graph
    keep, new_inits, casts = [], [], []
    for init in g.initializer:
        if init.data_type == TensorProto.FLOAT:
            arr = numpy_helper.to_array(init)
            if arr.size >= 16 and np.all(np.isfinite(arr)) and np.max(np.abs(arr)) < 60000:
                h = numpy_helper.from_array(arr.astype(np.float16), init.name + "__fp16")
                new_inits.append(h)
                casts.append(
                    helper.make_node("Cast", [h.name], [init.name], to=TensorProto.FLOAT, name=init.name + "__cast")
                )
                continue
        keep.append(init)
    del g.initializer[:]
    g.initializer.extend(keep + new_inits)
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(casts + nodes)
    onnx.checker.check_model(model)
    onnx.save(model, dst_path)


def quantize_q8(src_path, dst_path):
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        src_path,
        dst_path,
        op_types_to_quantize=["MatMul", "Gather"],
        per_channel=False,
        reduce_range=False,
        weight_type=QuantType.QInt8,
        extra_options={"MatMulConstBOnly": True},
    )


def quantize_q4(src_path, dst_path):
    import onnx

    try:
        from onnxruntime.quantization.matmul_4bits_quantizer import MatMul4BitsQuantizer

        q = MatMul4BitsQuantizer(onnx.load(src_path), block_size=32, is_symmetric=True)
    except ImportError:
        from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

        q = MatMulNBitsQuantizer(onnx.load(src_path), block_size=32, is_symmetric=True, bits=4)
    q.process()
    m = q.model.model if hasattr(q.model, "model") else q.model
    onnx.save(m, dst_path)
    n_nbits = sum(1 for n in m.graph.node if n.op_type == "MatMulNBits")
    if n_nbits == 0:
        raise RuntimeError("MatMul4BitsQuantizer quantized no MatMul")
    return n_nbits

"""rag-web's ONNX exporter for Hugging Face RAG checkpoints (DPR question encoder + BART generator).

The entry point is tools/export_rag.py; the modules here are its parts:

- common.py    constants (opset, dtype suffixes, tolerances, export / check shapes) and log()
- files.py     the non-ONNX files: source folder, tokenizers, generation_config.json
- wrappers.py  the torch modules each ONNX graph is traced from
- graphs.py    graph names, I/O names, dynamic axes, example inputs
- dtypes.py    fp16 / q8 / q4 conversions of the fp32 graphs
- checks.py    onnxruntime against PyTorch, the decoder chain check
- main.py      the command line and export_report.json
"""

"""The parts of tools/make_fixtures.py (the entry point), one module each:

- common.py        paths, log(), rounding, folder sizes
- specs.py         the cases (tiny-a, tiny-b, tiny-p, hf-o1, hf-o2) and the generate settings
- corpus.py        passages from pydoc_data.topics; tiny-p's quoted titles
- tokenizers_train.py  WordPiece / byte-level BPE training, transformers tokenizers from them
- retrieval.py     exact inner-product retrieval, context strings (RagRetriever's own code), passage embeddings
- generation.py    running one generate setting, degenerate-sequence checks
- training.py      question encoder (DPR-style) and generator (RAG-Token loss) training
- tiny_case.py     a trained tiny case (tiny-a, tiny-b)
- prefix_case.py   tiny-p: tiny-a's checkpoint with generator / RAG prefixes and quoted titles
- reference.py     reference.json from transformers' RAG classes
- export.py        export_rag.py on a case, ONNX cross-checks, the hf-o1 / hf-o2 cases
"""

"""The parts of tools/train_default.py (the entry point), one module each:

- build_kb.mjs  the knowledge base and question splits from the npm packages (Node)
- data.py       reading the corpus and splits, context strings, SQuAD normalization
- bm25.py       BM25 over the passages, for the DPR hard negatives
- dpr.py        question + context encoders, in-batch and hard negatives
- generator.py  generator warm-up on gold passages, then RAG-Token fine-tuning (question encoder + generator)
- evaluate.py   recall@k, exact match (RAG-Token and RAG-Sequence), the "not found" threshold
"""

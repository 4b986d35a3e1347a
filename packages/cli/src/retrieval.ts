import { docScoresRef } from '@rag-web/core';
import { NotEnoughPassagesError, RagRetriever, type KnowledgeBase } from '@rag-web/retriever';
import type { RagModel } from '@rag-web/models';

/** One question through the question encoder and the retriever, as `RagModel.forward` does it. */
export interface RetrievedQuestion {
  question: string;
  /** DPR tokenizer ids, `[CLS] … [SEP]`, unpadded. */
  questionInputIds: number[];
  /** DPR pooled output (retrieval_vector_size). */
  questionPooled: Float32Array;
  docIds: number[];
  /** `bmm(question_pooled, retrieved_doc_embeds)`, best first. */
  docScores: Float32Array;
  titles: string[];
  texts: string[];
  /** `title / text // question` per document. */
  contextStrings: string[];
  /** (nDocs × max_combined_length) generator ids, padded. */
  contextInputIds: number[][];
  contextAttentionMask: number[][];
}

/**
 * The retrieval half of RAG with every intermediate kept: the CLI prints them (`rag ask --json`)
 * and then hands the contexts to `generate` / `forward`, which skip their own retrieval when
 * given `contextInputIds` and `docScores`. Questions run one at a time (batch 1), so that each
 * one's values do not depend on what else was asked.
 */
export class QuestionRetriever {
  private readonly retriever: RagRetriever;

  constructor(
    private readonly rag: RagModel,
    private readonly kb: KnowledgeBase,
  ) {
    const { config, tokenizer } = rag.components;
    this.retriever = new RagRetriever(kb, config, { questionEncoder: tokenizer.questionEncoder, generator: tokenizer.generator });
  }

  /** Fails early (before any question is encoded) when the knowledge base is too small. */
  checkNDocs(nDocs: number): void {
    if (nDocs > this.kb.size) throw new NotEnoughPassagesError(nDocs, this.kb.size);
  }

  async retrieve(question: string, nDocs: number): Promise<RetrievedQuestion> {
    const { tokenizer, questionEncoder, config } = this.rag.components;
    const enc = tokenizer.encodeQuestions([question]);
    const ids = enc.inputIds[0]!;
    const pooled = await questionEncoder.forward(enc.inputIds, enc.attentionMask);
    const out = await this.retriever.call(enc.inputIds, pooled, { nDocs, prefix: config.prefix });
    const d = this.retriever.dimension;
    const docScores = docScoresRef(pooled, out.retrievedDocEmbeds, { batch: 1, nDocs, hidden: d });
    const docIds = out.docIds[0]!;
    const passages = await this.kb.getPassages(docIds);
    return {
      question,
      questionInputIds: ids,
      questionPooled: pooled,
      docIds,
      docScores,
      titles: passages.map((p) => p.title),
      texts: passages.map((p) => p.text),
      contextStrings: out.contextStrings,
      contextInputIds: out.contextInputIds,
      contextAttentionMask: out.contextAttentionMask,
    };
  }

  /** The top `k` doc ids and passages only (no contexts), for recall@k. */
  async topPassages(questionPooled: Float32Array, k: number): Promise<Array<{ id: number; title: string; text: string }>> {
    const { docDicts } = await this.retriever.retrieve(questionPooled, k);
    return docDicts[0]!;
  }
}

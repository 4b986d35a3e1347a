import { NotEnoughPassagesError, RagRetriever, type DocDict, type PassageSource } from '@rag-web/core';
import type { RagModel, RagRetrieval } from '@rag-web/models';

/**
 * The knowledge base of `--kb` as the model's retriever. Retrieval itself is `RagModel.retrieve`,
 * whose intermediates the CLI prints (`rag ask --json`) before handing the contexts to
 * `generate` / `forward`. Questions run one at a time (batch 1), so that each one's values do
 * not depend on what else was asked.
 */
export class QuestionRetriever {
  private readonly retriever: RagRetriever;

  constructor(
    private readonly rag: RagModel,
    private readonly kb: PassageSource,
  ) {
    const { config, tokenizer } = rag.components;
    this.retriever = new RagRetriever(kb, config, { questionEncoder: tokenizer.questionEncoder, generator: tokenizer.generator });
  }

  /** Fails early (before any question is encoded) when the knowledge base is too small. */
  async checkNDocs(nDocs: number): Promise<void> {
    const count = await this.kb.count();
    if (nDocs > count) throw new NotEnoughPassagesError(nDocs, count);
  }

  /** One question's retrieval (batch 1: row 0 of every field). */
  retrieve(question: string, nDocs: number): Promise<RagRetrieval> {
    return this.rag.retrieve([question], { nDocs, retriever: this.retriever });
  }

  /** The top `k` passages only (no contexts), for recall@k. */
  async topPassages(questionPooled: Float32Array, k: number): Promise<DocDict[]> {
    const { docDicts } = await this.retriever.retrieve(questionPooled, k);
    return docDicts[0]!;
  }
}

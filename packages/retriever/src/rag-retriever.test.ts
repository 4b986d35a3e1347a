import { describe, expect, it } from 'vitest';
import { expectClose } from '../../../test/expect-close.js';
import { FIXTURE_CASES, readReference } from '../../../test/fixture-files.js';
import { tolerances } from '../../../test/tolerances.js';
import { fixtureKb } from '../test/fixture-kb.js';
import { fixtureRagConfig, fixtureTokenizers } from '../test/fixture-retrieval.js';
import { EmbeddingDimensionError, EmptyKnowledgeBaseError, NotEnoughPassagesError } from './errors.js';
import { KnowledgeBase } from './knowledge-base.js';
import { RagRetriever, formatContext } from '@rag-web/core';
import { MemoryBackend } from './store-backend.js';

describe.each(FIXTURE_CASES)('RagRetriever against transformers (%s)', (caseName) => {
  const ref = readReference(caseName);
  const config = fixtureRagConfig(caseName);
  const tokenizers = fixtureTokenizers(caseName);

  it('per question: doc ids and scores of exact search, context strings and input ids are identical', async () => {
    const kb = await fixtureKb(caseName, 'exact');
    const retriever = new RagRetriever(kb, config, tokenizers);
    for (const q of ref.per_question) {
      const hidden = Float32Array.from(q.question_pooled);
      const out = await retriever.call([q.question_input_ids], hidden);
      expect(out.docIds).toEqual([q.doc_ids]);
      expect(out.contextStrings).toEqual(q.context_strings);
      expect(out.contextInputIds).toEqual(q.context_input_ids);
      expect(out.contextAttentionMask).toEqual(q.context_input_ids.map((row) => row.map((id, j) => (j === 0 || id !== 1 ? 1 : 0))));
      const { scores } = await kb.search(hidden, config.nDocs);
      expectClose(scores, q.doc_scores, tolerances.retriever.hfDocScores, `${q.question} doc scores`);
      // retrievedDocEmbeds are the stored rows of passage_embeddings.npy, in doc-id order of the hits.
      const stored = await kb.getPassages(q.doc_ids);
      expect(Array.from(out.retrievedDocEmbeds)).toEqual(stored.flatMap((p) => Array.from(p.embedding)));
      expect(out.docDicts).toEqual([stored.map(({ id, title, text }) => ({ id, title, text }))]);
    }
  });

  it('a batch of every question, in retrieval chunks of 2, matches the per-question references', async () => {
    const kb = await fixtureKb(caseName, 'exact');
    const retriever = new RagRetriever(kb, { ...config, retrievalBatchSize: 2 }, tokenizers);
    const hidden = Float32Array.from(ref.per_question.flatMap((q) => q.question_pooled));
    // Padded question ids, as a batch from the DPR tokenizer would be: decoding skips [PAD].
    const width = Math.max(...ref.per_question.map((q) => q.question_input_ids.length));
    const ids = ref.per_question.map((q) => [...q.question_input_ids, ...Array<number>(width - q.question_input_ids.length).fill(0)]);
    const out = await retriever.call(ids, hidden);
    expect(out.docIds).toEqual(ref.per_question.map((q) => q.doc_ids));
    expect(out.contextStrings).toEqual(ref.per_question.flatMap((q) => q.context_strings));
    expect(out.contextInputIds).toEqual(ref.per_question.flatMap((q) => q.context_input_ids));
    expect(out.retrievedDocEmbeds.length).toBe(ref.per_question.length * config.nDocs * config.retrievalVectorSize);
  });

  it('HNSW with default parameters: recall@10 against exact search ≥ 0.99 on the fixture corpus', async () => {
    const exact = await fixtureKb(caseName, 'exact');
    const hnsw = await fixtureKb(caseName, 'hnsw');
    // Queries: the reference questions plus 60 passages' own embeddings (held in the corpus).
    const d = config.retrievalVectorSize;
    const corpus = await exact.getPassages(Array.from({ length: 60 }, (_, i) => (i * 97) % exact.size));
    const queries = Float32Array.from([...ref.per_question.flatMap((q) => q.question_pooled), ...corpus.flatMap((p) => Array.from(p.embedding))]);
    const a = await exact.search(queries, 10);
    const b = await hnsw.search(queries, 10);
    const nq = queries.length / d;
    let hits = 0;
    for (let q = 0; q < nq; q++) {
      const truth = new Set(a.ids.subarray(q * 10, (q + 1) * 10));
      for (const id of b.ids.subarray(q * 10, (q + 1) * 10)) if (truth.has(id)) hits++;
    }
    expect(hits / (nq * 10)).toBeGreaterThanOrEqual(0.99);
  });
});

describe('RagRetriever errors and formatting', () => {
  const tokenizers = fixtureTokenizers('hf-o1');
  const config = fixtureRagConfig('hf-o1');

  it("formats like postprocess_docs: one quote stripped each side, '  ' → ' ' in one pass, prefix first", () => {
    expect(formatContext('"Quoted" title"', 'a  b   c', 'q?', null, ' / ', ' // ')).toBe('Quoted" title / a b  c // q?');
    expect(formatContext('T', 'x', 'q', 'summarize: ', ' / ', ' // ')).toBe('summarize: T / x // q');
    expect(formatContext('"', ' t ', 'q', null, ' / ', ' // ')).toBe(' / t // q');
  });

  it("call without a prefix uses the generator's prefix, not the RAG-level one; a given prefix wins", async () => {
    const kb = await KnowledgeBase.open({ backend: new MemoryBackend('p'), dimension: 40, index: 'exact' });
    await kb.ingest({ passages: [{ title: '"T"', text: 'x', embedding: new Float32Array(40).fill(1) }] });
    const ragLevel = { ...config, prefix: 'rag: ', generator: { prefix: 'gen: ' } };
    const retriever = new RagRetriever(kb, ragLevel, tokenizers);
    const question = tokenizers.questionEncoder.encodeBatch(['what']).inputIds;
    const [defaulted] = (await retriever.call(question, new Float32Array(40), { nDocs: 1 })).contextStrings;
    expect(defaulted).toBe(`gen: T${config.titleSep}x${config.docSep}what`);
    const [given] = (await retriever.call(question, new Float32Array(40), { nDocs: 1, prefix: 'mine: ' })).contextStrings;
    expect(given).toBe(`mine: T${config.titleSep}x${config.docSep}what`);
  });

  it('dimension mismatch, empty knowledge base and nDocs > passages are typed errors', async () => {
    const empty = await KnowledgeBase.open({ backend: new MemoryBackend('e'), dimension: 40, index: 'exact' });
    expect(() => new RagRetriever(empty, { ...config, retrievalVectorSize: 768 }, tokenizers)).toThrow(EmbeddingDimensionError);
    const retriever = new RagRetriever(empty, config, tokenizers);
    await expect(retriever.retrieve(new Float32Array(40), 5)).rejects.toThrow(EmptyKnowledgeBaseError);
    await empty.ingest({ passages: [{ title: 't', text: 'x', embedding: new Float32Array(40).fill(1) }] });
    await expect(retriever.retrieve(new Float32Array(40), 5)).rejects.toThrow(NotEnoughPassagesError);
    await expect(retriever.call([[2, 3]], new Float32Array(40), { nDocs: 1 })).resolves.toMatchObject({ docIds: [[0]] });
  });
});

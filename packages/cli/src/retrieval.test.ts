import { RagSequenceForGeneration, RagTokenForGeneration } from '@rag-web/models';
import { RagRetriever } from '@rag-web/core';
import { describe, expect, it } from 'vitest';
import { expectClose } from '../../../test/expect-close.js';
import { FIXTURE_CASES, fixturePath, readReference } from '../../../test/fixture-files.js';
import { tolerances } from '../../../test/tolerances.js';
import { fixtureKb } from '../../retriever/test/fixture-kb.js';
import { QuestionRetriever } from './retrieval.js';

/** Doc scores are inner products of 1e-4-accurate pooled vectors with the stored embeddings. */
const DOC_SCORES = { abs: 1e-4, rel: 1e-4 };

// In process, the one retrieval path against transformers: `RagModel.retrieve` (what the CLI
// prints) and the retrieval branch of generate (question ids in, the model's retriever set).
describe.each(FIXTURE_CASES)('RagModel.retrieve and generate(inputIds) on %s vs transformers (WASM in Node)', async (caseName) => {
  const reference = readReference(caseName);
  const token = await RagTokenForGeneration.fromPretrained(fixturePath(`${caseName}/model`), { device: 'wasm', cache: null });
  const { rag } = token;
  const kb = await fixtureKb(caseName, 'exact');
  const { config, tokenizer } = rag.components;
  rag.retriever = new RagRetriever(kb, config, { questionEncoder: tokenizer.questionEncoder, generator: tokenizer.generator });
  const { nDocs } = config;

  it('one question at a time (the CLI): every intermediate, batch 1', async () => {
    const retriever = new QuestionRetriever(rag, kb);
    for (const q of reference.per_question) {
      const r = await retriever.retrieve(q.question, nDocs);
      expect(r.questionInputIds).toEqual([q.question_input_ids]);
      expect(r.retrievedDocIds).toEqual([q.doc_ids]);
      expect(r.contextStrings).toEqual(q.context_strings);
      expect(r.contextInputIds).toEqual(q.context_input_ids);
      expect(r.docDicts[0]!.map((d) => d.id)).toEqual(q.doc_ids);
      expectClose(r.questionPooled, q.question_pooled, tolerances.wasm.pooled, `${q.question}: questionPooled`);
      expectClose(r.docScores, q.doc_scores, DOC_SCORES, `${q.question}: docScores`);
    }
  });

  it('every question as one batch: batch-major, question ids padded to the longest', async () => {
    const r = await rag.retrieve(reference.per_question.map((q) => q.question));
    expect(r.batch).toBe(reference.per_question.length);
    expect(r.retrievedDocIds).toEqual(reference.per_question.map((q) => q.doc_ids));
    expect(r.contextStrings).toEqual(reference.per_question.flatMap((q) => q.context_strings));
    expect(r.contextInputIds).toEqual(reference.per_question.flatMap((q) => q.context_input_ids));
    reference.per_question.forEach((q, i) => {
      const n = q.question_input_ids.length;
      expect(r.questionInputIds[i]!.slice(0, n)).toEqual(q.question_input_ids);
      expect(r.questionAttentionMask[i]!.reduce((a, b) => a + b, 0)).toBe(n);
    });
  });

  it('generate from question ids retrieves the same contexts: the same token ids (RAG-Token greedy, RAG-Sequence)', async () => {
    const sequence = new RagSequenceForGeneration(rag);
    for (const q of reference.per_question) {
      const inputIds = [q.question_input_ids];
      expect(await token.generate({ inputIds, numBeams: 1, maxLength: 12 }), q.question).toEqual(q.generate.token_greedy_len12);
      expect(await sequence.generate({ inputIds, numBeams: 2, numReturnSequences: 1, maxLength: 10 }), q.question).toEqual(q.generate.seq_beam2_ret1_len10);
    }
  });
});

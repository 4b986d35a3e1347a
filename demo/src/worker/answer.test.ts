import type { PassageSource } from '@rag-web/core';
import { RagTokenForGeneration, type RagRetrieval } from '@rag-web/models';
import { RemoteRetriever } from '@rag-web/remote';
import { serveRetrieval } from '@rag-web/remote/server';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturePath, readReference } from '../../../test/fixture-files.js';
import { fixtureKb } from '../../../packages/retriever/test/fixture-kb.js';
import { answerQuestion } from './answer.js';
import type { AskRequest } from './engine.js';

// The worker's question path in Node on WASM, against transformers: tiny-p has a generator
// prefix other than the RAG-level prefix (transformers formats contexts with the generator's)
// and quoted titles.
const CASE = 'tiny-p';

/** The demo's three generate paths: streamed greedy RAG-Token, RAG-Token beams, RAG-Sequence. */
const PATHS: Array<{ setting: string; variant: AskRequest['variant']; numBeams: number; maxLength: number }> = [
  { setting: 'token_greedy_len12', variant: 'token', numBeams: 1, maxLength: 12 },
  { setting: 'token_beam3_len12', variant: 'token', numBeams: 3, maxLength: 12 },
  { setting: 'seq_beam2_ret1_len10', variant: 'sequence', numBeams: 2, maxLength: 10 },
];

describe(`answerQuestion on ${CASE} vs transformers (WASM in Node)`, async () => {
  const reference = readReference(CASE);
  const model = await RagTokenForGeneration.fromPretrained(fixturePath(`${CASE}/model`), { device: 'wasm', cache: null });
  const kb = await fixtureKb(CASE, 'exact');
  const { nDocs } = model.rag.config;
  // The same knowledge base behind a retrieval server on loopback: the demo's remote path.
  const server = await serveRetrieval(kb);
  afterAll(() => server.close());
  const remote = await RemoteRetriever.connect(server.url);

  const sources: Array<{ source: PassageSource; from: string }> = [
    { source: kb, from: 'knowledge base' },
    { source: remote, from: 'retrieval server' },
  ];
  const cases = sources.flatMap((source) => PATHS.map((path) => ({ ...path, ...source })));
  for (const { setting, variant, numBeams, maxLength, source, from } of cases) {
    it.runIf(setting in reference.per_question[0]!.generate)(`${setting} from a ${from}: passages, context strings and answer ids identical`, async () => {
      for (const q of reference.per_question) {
        let retrieval: RagRetrieval | undefined;
        let sequences: number[][] | undefined;
        const request: AskRequest = { question: q.question, knowledgeBase: CASE, variant, nDocs, numBeams, maxLength, decoding: 'free' };
        const result = await answerQuestion(model, source, request, { onRetrieval: (r) => (retrieval = r), onSequences: (s) => (sequences = s) });
        expect(retrieval!.contextStrings, q.question).toEqual(q.context_strings);
        expect(retrieval!.contextInputIds, q.question).toEqual(q.context_input_ids);
        expect(result.passages.map((p) => p.docId), q.question).toEqual(q.doc_ids);
        expect(sequences, q.question).toEqual(q.generate[setting]);
        expect(result.answer, q.question).toBe(q.generate_text[setting]![0]);
        expect(result.streamed).toBe(variant === 'token' && numBeams === 1);
      }
    });
  }
});

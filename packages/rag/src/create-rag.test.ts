import { readFileSync } from 'node:fs';
import { EmbeddingDimensionError } from '@rag-web/core';
import { InvalidInputError, UnknownOptionError, UnsupportedOptionError } from '@rag-web/models';
import { RemoteRetriever } from '@rag-web/remote';
import { serveRetrieval } from '@rag-web/remote/server';
import { EmbeddingModelError, KnowledgeBase, MemoryBackend, parsePassagesJsonl } from '@rag-web/retriever';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../../../test/expect-close.js';
import { fixturePath, readReference } from '../../../test/fixture-files.js';
import { tolerances } from '../../../test/tolerances.js';
import { fixtureKb } from '../../retriever/test/fixture-kb.js';
import { createRag } from './create-rag.js';
import type { RagPipeline } from './rag-pipeline.js';

const softmax = (xs: number[]) => {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};

// createRag end to end on the fixtures' knowledge bases: the question goes in as text, and the
// answer, its ids and its sources are transformers' (reference.json: RagTokenForGeneration /
// RagSequenceForGeneration.generate with the retriever, on the same weights).
describe.each(['tiny-a', 'hf-o1'])('%s: createRag().ask from the question text (WASM)', (caseName) => {
  const reference = readReference(caseName);
  let token: RagPipeline;
  let sequence: RagPipeline;
  beforeAll(async () => {
    const options = { model: fixturePath(`${caseName}/model`), device: 'wasm', dtype: 'fp32', cache: null } as const;
    token = await createRag({ ...options, knowledgeBase: await fixtureKb(caseName, 'exact'), variant: 'token' });
    sequence = await createRag({ ...options, knowledgeBase: await fixtureKb(caseName, 'exact'), variant: 'sequence' });
  });
  afterAll(async () => {
    await token?.dispose();
    await sequence?.dispose();
  });

  it('greedy: transformers’ ids and text, its doc ids and doc scores as sources, streamed as text', async () => {
    for (const q of reference.per_question) {
      const streamed: string[] = [];
      const answer = await token.ask(q.question, { numBeams: 1, maxLength: 12, onText: (t) => streamed.push(t) });
      expect(answer.sequences).toEqual(q.generate.token_greedy_len12);
      expect(answer.text).toBe(q.generate_text.token_greedy_len12![0]);
      expect(answer.sources.map((s) => s.id)).toEqual(q.doc_ids);
      expectClose(answer.sources.map((s) => s.score), q.doc_scores, tolerances.wasm.pooled, `${q.question} doc scores`);
      expectClose(answer.sources.map((s) => s.probability), softmax(q.doc_scores), { abs: 1e-5, rel: 0 }, 'probabilities');
      expect(answer.sources.map((s) => s.text)).toEqual(answer.retrieval.docDicts[0]!.map((d) => d.text));
      expect(answer.device).toBe('wasm');
      // One update per generated token, each a prefix of the next, then the answer once more.
      expect(streamed).toHaveLength(answer.sequences[0]!.length);
      expect(streamed.at(-1)).toBe(answer.text);
      streamed.slice(1).forEach((t, i) => expect(t.startsWith(streamed[i]!.trimEnd())).toBe(true));
    }
  });

  it('beam search and RAG-Sequence: transformers’ ids for every returned sequence', async () => {
    for (const q of reference.per_question.slice(0, 3)) {
      const streamed: string[] = [];
      const beams = await token.ask(q.question, { numBeams: 3, numReturnSequences: 2, maxLength: 10, onText: (t) => streamed.push(t) });
      expect(beams.sequences).toEqual(q.generate.token_beam3_ret2_len10);
      // With beams the best hypothesis so far is streamed at every step; it ends on the answer.
      expect(streamed.length).toBeGreaterThan(2);
      expect(streamed.at(-1)).toBe(beams.text);
      const seq = await sequence.ask(q.question, { numBeams: 3, numReturnSequences: 2, maxLength: 10 });
      expect(seq.sequences).toEqual(q.generate.seq_beam3_ret2_len10);
      expect(seq.texts).toEqual(q.generate_text.seq_beam3_ret2_len10);
    }
  });
});

describe('createRag over a retrieval server (RemoteRetriever): encode and generate here, retrieve there', () => {
  it('the same answers and sources as over the knowledge base itself; add and remove refused; a server of another width refused', async () => {
    const server = await serveRetrieval(await fixtureKb('tiny-a', 'exact'));
    const wider = await serveRetrieval(await fixtureKb('tiny-b', 'exact'));
    const options = { model: fixturePath('tiny-a/model'), device: 'wasm', dtype: 'fp32', cache: null } as const;
    const rag = await createRag({ ...options, knowledgeBase: await RemoteRetriever.connect(server.url) });
    try {
      for (const q of readReference('tiny-a').per_question) {
        const answer = await rag.ask(q.question, { numBeams: 1, maxLength: 12 });
        expect(answer.sequences).toEqual(q.generate.token_greedy_len12);
        expect(answer.sources.map((s) => s.id)).toEqual(q.doc_ids);
        expect(answer.retrieval.contextStrings).toEqual(q.context_strings);
      }
      await expect(rag.add([{ title: 't', text: 'x' }])).rejects.toThrow(InvalidInputError);
      await expect(rag.remove([0])).rejects.toThrow(/not stored here/);
      await expect(createRag({ ...options, knowledgeBase: await RemoteRetriever.connect(wider.url) })).rejects.toThrow(EmbeddingDimensionError);
    } finally {
      await rag.dispose();
      await server.close();
      await wider.close();
    }
  });
});

describe('createRag without a knowledge base: add, ask, remove (tiny-a, WASM)', () => {
  let rag: RagPipeline;
  const files: string[] = [];
  beforeAll(async () => {
    rag = await createRag({
      model: fixturePath('tiny-a/model'),
      device: 'wasm',
      cache: null,
      knowledgeBaseName: `create-rag-${Date.now()}`,
      progressCallback: (e) => (e.status === 'done' ? files.push(e.file) : undefined),
    });
  });
  afterAll(() => rag?.dispose());

  it('loads q8 on WASM when no dtype is given (fp32 on WebGPU), as transformers.js does', () => {
    const graphs = files.filter((f) => f.endsWith('.onnx'));
    expect(graphs.length).toBeGreaterThanOrEqual(4);
    expect(graphs.every((f) => f.endsWith('_quantized.onnx'))).toBe(true);
  });

  it('unknown options are typed errors naming the closest valid one, before anything loads', async () => {
    await expect(createRag({ model: fixturePath('tiny-a/model'), progress_callback: () => undefined } as never)).rejects.toThrow(/did you mean "progressCallback"/);
    await expect(rag.ask('what is del', { max_new_tokens: 5 } as never)).rejects.toBeInstanceOf(UnknownOptionError);
    await expect(rag.ask('what is del', { temperature: 0.7 } as never)).rejects.toBeInstanceOf(UnsupportedOptionError);
  });

  it('answers from documents added with add(), and no longer from removed ones', async () => {
    expect(await rag.knowledgeBase.count()).toBe(0);
    const passages = tinyADocuments().slice(0, 30);
    const ids = await rag.add(passages, { wordsPerPassage: 1000 });
    expect(ids).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const q = readReference('tiny-a').per_question[0]!;
    const found = await rag.ask(q.question, { nDocs: 4, maxLength: 8 });
    expect(found.sources).toHaveLength(4);
    const top = found.sources[0]!;
    expect(passages.some((p) => p.title === top.title && p.text === top.text)).toBe(true);
    await rag.remove([top.id]);
    const again = await rag.ask(q.question, { nDocs: 4, maxLength: 8 });
    expect(again.sources.map((s) => s.id)).not.toContain(top.id);
  });

  it('a knowledge base embedded by another question encoder is refused', async () => {
    // Same width, another encoder: the probe it recorded is not what tiny-a's question encoder gives.
    const kb = await KnowledgeBase.open({ backend: new MemoryBackend('foreign'), dimension: 32, modelId: 'another' });
    await kb.ingest({ passages: [{ title: 't', text: 'x', embedding: new Float32Array(32).fill(1) }] }, { modelId: 'another', encoderProbe: new Float32Array(32).map((_, i) => (i % 2 ? 1 : -1)) });
    await expect(createRag({ model: fixturePath('tiny-a/model'), device: 'wasm', cache: null, knowledgeBase: kb })).rejects.toBeInstanceOf(EmbeddingModelError);
    await kb.close();
  });
});

/** tiny-a's passages as documents (one passage each at 1000 words per passage). */
function tinyADocuments(): Array<{ title: string; text: string }> {
  return parsePassagesJsonl(readFileSync(fixturePath('tiny-a/passages.jsonl'), 'utf8')).map(({ title, text }) => ({ title, text }));
}

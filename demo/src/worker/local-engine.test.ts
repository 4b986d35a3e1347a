import { EmbeddingDimensionError } from '@rag-web/core';
import { RemoteUnavailableError } from '@rag-web/remote';
import { serveRetrieval } from '@rag-web/remote/server';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturePath, readReference } from '../../../test/fixture-files.js';
import { fixtureKb } from '../../../packages/retriever/test/fixture-kb.js';
import type { AskRequest } from './engine.js';
import { LocalRagEngine } from './local-engine.js';

// The worker's engine pointed at retrieval servers (WASM in Node): tiny-p answers from a server
// holding its knowledge base; a server of another width and a closed port are refused with typed
// errors, and the setting in use stays.
describe('LocalRagEngine.setRetrieval', async () => {
  const reference = readReference('tiny-p');
  const own = await serveRetrieval(await fixtureKb('tiny-p', 'exact'));
  const wider = await serveRetrieval(await fixtureKb('tiny-b', 'exact'));
  afterAll(() => Promise.all([own.close(), wider.close()]));
  const engine = new LocalRagEngine();
  const model = await engine.load({ modelUrl: fixturePath('tiny-p/model'), device: 'wasm', dtype: 'fp32' });
  const q = reference.per_question[0]!;
  const request: AskRequest = { question: q.question, knowledgeBase: 'not used', variant: 'token', nDocs: model.nDocs, numBeams: 1, maxLength: 12, decoding: 'free' };

  it('connects a server of the model’s width and answers from its passages', async () => {
    expect(await engine.setRetrieval({ url: `${own.url}/` })).toEqual({ mode: 'remote', url: own.url, name: 'tiny-p', count: 259, dimension: model.dimension });
    const result = await engine.ask(request);
    expect(result.retrievedFrom).toEqual({ mode: 'remote', name: 'tiny-p', url: own.url });
    expect(result.passages.map((p) => p.docId)).toEqual(q.doc_ids);
    expect(result.answer).toBe(q.generate_text.token_greedy_len12![0]);
  });

  it('refuses a server of another width, and one that is not there, keeping the server in use', async () => {
    await expect(engine.setRetrieval({ url: wider.url })).rejects.toThrow(EmbeddingDimensionError);
    const closed = await closedPort();
    await expect(engine.setRetrieval({ url: `http://127.0.0.1:${closed}` })).rejects.toThrow(RemoteUnavailableError);
    expect((await engine.ask(request)).retrievedFrom).toEqual({ mode: 'remote', name: 'tiny-p', url: own.url });
  });

  it('goes back to the knowledge bases here for an empty URL', async () => {
    expect(await engine.setRetrieval({ url: '  ' })).toEqual({ mode: 'local' });
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

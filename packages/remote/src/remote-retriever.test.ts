import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmbeddingDimensionError, NotEnoughPassagesError, RagConfig, RagRetriever, ShapeError } from '@rag-web/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_CASES, readFixtureJson, readReference } from '../../../test/fixture-files.js';
import { fixtureKb } from '../../retriever/test/fixture-kb.js';
import { fixtureTokenizers } from '../../retriever/test/fixture-retrieval.js';
import { listSource } from '../test/http.js';
import { MalformedResponseError, RemoteUnavailableError, RequestLimitError } from './errors.js';
import { RemoteRetriever } from './remote-retriever.js';
import { serveRetrieval, type RetrievalServer } from './server.js';

describe.each(FIXTURE_CASES)('RemoteRetriever over serveRetrieval of the fixture %s', (caseName) => {
  const ref = readReference(caseName);
  let server: RetrievalServer;
  let kb: Awaited<ReturnType<typeof fixtureKb>>;
  beforeAll(async () => {
    kb = await fixtureKb(caseName, 'exact');
    server = await serveRetrieval(kb, { maxBatch: 2 });
  });
  afterAll(() => server.close());

  it('connects: name, dimension, count and limits from /health', async () => {
    const remote = await RemoteRetriever.connect(`${server.url}/`);
    expect(remote).toMatchObject({ url: server.url, name: kb.name, dimension: kb.dimension, maxDocs: 100, maxBatch: 2 });
    expect(await remote.count()).toBe(kb.size);
  });

  it('topPassages equals the source itself, bit for bit, batches above maxBatch split and joined', async () => {
    const remote = await RemoteRetriever.connect(server.url);
    const queries = Float32Array.from(ref.per_question.flatMap((q) => q.question_pooled));
    expect(queries.length / kb.dimension).toBeGreaterThan(2);
    for (const k of [1, 5]) expect(await remote.topPassages(queries, k)).toEqual(await kb.topPassages(queries, k));
  });

  it("RagRetriever over it gives transformers' doc ids and context strings", async () => {
    const remote = await RemoteRetriever.connect(server.url);
    const config = RagConfig.fromJson(readFixtureJson(`${caseName}/model/config.json`));
    const retriever = new RagRetriever(remote, config, fixtureTokenizers(caseName));
    for (const q of ref.per_question) {
      const out = await retriever.call([q.question_input_ids], Float32Array.from(q.question_pooled));
      expect(out.docIds).toEqual([q.doc_ids]);
      expect(out.contextStrings).toEqual(q.context_strings);
      expect(out.contextInputIds).toEqual(q.context_input_ids);
    }
  });
});

describe('RemoteRetriever: errors come back typed', () => {
  let server: RetrievalServer;
  let kb: Awaited<ReturnType<typeof fixtureKb>>;
  beforeAll(async () => {
    kb = await fixtureKb('tiny-a', 'exact');
    server = await serveRetrieval(kb, { maxDocs: 300 });
  });
  afterAll(() => server.close());

  it('nDocs above the corpus → NotEnoughPassagesError; above maxDocs → RequestLimitError; nDocs 0 → MalformedRequestError', async () => {
    const remote = await RemoteRetriever.connect(server.url);
    const q = new Float32Array(kb.dimension).fill(0.1);
    const notEnough = await remote.topPassages(q, 260).catch((e: unknown) => e);
    expect(notEnough).toBeInstanceOf(NotEnoughPassagesError);
    expect(notEnough).toMatchObject({ requested: 260, available: 259 });
    await expect(remote.topPassages(q, 301)).rejects.toThrow(RequestLimitError);
    await expect(remote.topPassages(q, 0)).rejects.toThrow(expect.objectContaining({ name: 'MalformedRequestError' }));
    await expect(remote.topPassages(q.subarray(1), 1)).rejects.toThrow(ShapeError);
  });

  it('a server whose knowledge base has another width now → EmbeddingDimensionError naming both', async () => {
    const narrow = await serveRetrieval(listSource('narrow', [{ title: 't', text: 'x', embedding: [1, 0, 0] }]));
    try {
      // /health of the fixture's server, /retrieve of the 3-wide one: as if the server was restarted on another knowledge base.
      const remote = await RemoteRetriever.connect(server.url, { fetch: (url, init) => fetch(String(url).replace(server.url, narrow.url).replace(`${narrow.url}/health`, `${server.url}/health`), init) });
      const err = await remote.topPassages(new Float32Array(kb.dimension), 1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EmbeddingDimensionError);
      expect(err).toMatchObject({ expected: 3, actual: kb.dimension });
    } finally {
      await narrow.close();
    }
  });

  it('the source failing → RemoteUnavailableError with the remote name', async () => {
    const down = await serveRetrieval({ ...listSource('down', [{ title: 't', text: 'x', embedding: [1, 0] }]), topPassages: () => Promise.reject(new Error('connection terminated')) }, { onError: () => undefined });
    try {
      const remote = await RemoteRetriever.connect(down.url);
      const err = await remote.topPassages(Float32Array.of(1, 0), 1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RemoteUnavailableError);
      expect(err).toMatchObject({ status: 503, remoteName: 'Error', url: `${down.url}/retrieve` });
    } finally {
      await down.close();
    }
  });

  it('nothing listening → RemoteUnavailableError naming the URL', async () => {
    const gone = await serveRetrieval(kb);
    await gone.close();
    const err = await RemoteRetriever.connect(gone.url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteUnavailableError);
    expect((err as Error).message).toContain(`${gone.url}/health`);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('a server that never answers → RemoteUnavailableError after timeoutMs, no hang; the caller abort wins', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const started = Date.now();
      const err = await RemoteRetriever.connect(url, { timeoutMs: 300 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RemoteUnavailableError);
      expect((err as Error).message).toMatch(/within 300 ms/);
      expect(Date.now() - started).toBeLessThan(5000);
      const controller = new AbortController();
      const aborted = RemoteRetriever.connect(url, { signal: controller.signal }).catch((e: unknown) => e);
      controller.abort(new DOMException('stop', 'AbortError'));
      expect(await aborted).toMatchObject({ name: 'AbortError' });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('a server that is not a retrieval server: non-JSON → RemoteUnavailableError with its status; wrong JSON → MalformedResponseError', async () => {
    const html = async () => new Response('<html>hello</html>', { status: 200, headers: { 'content-type': 'text/html' } });
    const err = await RemoteRetriever.connect('http://example.invalid', { fetch: html }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteUnavailableError);
    expect(err).toMatchObject({ status: 200, url: 'http://example.invalid/health' });
    const json = async () => Response.json({ status: 'ok', version: 3 });
    await expect(RemoteRetriever.connect('http://example.invalid', { fetch: json })).rejects.toThrow(MalformedResponseError);
    const notFound = async () => Response.json({ detail: 'Not Found' }, { status: 404 });
    await expect(RemoteRetriever.connect('http://example.invalid', { fetch: notFound })).rejects.toThrow(expect.objectContaining({ name: 'RemoteUnavailableError', status: 404 }));
  });

  it("connect's signal cancels connect only; a call's signal cancels that call", async () => {
    const controller = new AbortController();
    const remote = await RemoteRetriever.connect(server.url, { signal: controller.signal });
    controller.abort();
    expect(await remote.count()).toBe(kb.size);
    const q = new Float32Array(kb.dimension);
    await expect(remote.topPassages(q, 1, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect((await remote.topPassages(q, 1)).ids).toHaveLength(1);
  });

  it('headers are sent with every request', async () => {
    const seen: Array<string | null> = [];
    const spy: typeof fetch = async (url, init) => {
      seen.push(new Headers(init?.headers).get('authorization'));
      return fetch(url, init);
    };
    const remote = await RemoteRetriever.connect(server.url, { fetch: spy, headers: { authorization: 'Bearer t' } });
    await remote.topPassages(new Float32Array(kb.dimension), 1);
    expect(seen).toEqual(['Bearer t', 'Bearer t']);
  });
});

describe('RemoteRetriever: passages come back verbatim', () => {
  it('SQL-looking, quoted, multi-line and non-ASCII text is returned exactly as stored', async () => {
    const passages = [
      { title: `Robert'); DROP TABLE passages;--`, text: `1' OR '1'='1; SELECT * FROM pg_user; -- \\x00 $$ $1 %s`, embedding: [1, 0] },
      { title: '"quoted" \\ back\\slash', text: 'line 1\nline 2\r\n\tü ß 中文 🙂 \u2028 end', embedding: [0.5, 0.5] },
      { title: '', text: '</script><script>alert(1)</script>', embedding: [0, 1] },
    ];
    const server = await serveRetrieval(listSource('sql', passages));
    try {
      const remote = await RemoteRetriever.connect(server.url);
      const { passages: got } = await remote.topPassages(Float32Array.of(1, 1), 3);
      const byId = new Map(got.map((p) => [p.id, p]));
      passages.forEach((p, id) => expect(byId.get(id)).toMatchObject({ title: p.title, text: p.text }));
    } finally {
      await server.close();
    }
  });
});

import { request } from 'node:http';
import { EmptyKnowledgeBaseError } from '@rag-web/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSource, rawRequest } from '../test/http.js';
import { fixtureKb } from '../../retriever/test/fixture-kb.js';
import { serveRetrieval, type RetrievalServer } from './server.js';

const row = (d: number, v = 0.5) => Array.from({ length: d }, () => v);

describe('serveRetrieval: statuses and typed error replies', () => {
  let server: RetrievalServer;
  let dimension: number;
  let count: number;
  const failures: unknown[] = [];

  beforeAll(async () => {
    const kb = await fixtureKb('tiny-a', 'exact');
    dimension = kb.dimension;
    count = kb.size;
    server = await serveRetrieval(kb, { maxDocs: 300, maxBatch: 4, maxBodyBytes: 64 * 1024, onError: (e) => failures.push(e) });
  });
  afterAll(() => server.close());

  const retrieve = (body: unknown) => rawRequest(`${server.url}/retrieve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('binds 127.0.0.1 by default; GET /health says name, dimension, count and limits', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const r = await rawRequest(`${server.url}/health`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.json).toEqual({ status: 'ok', name: 'tiny-a', dimension, count, maxDocs: 300, maxBatch: 4 });
  });

  it.each([
    ['malformed JSON', '{"questionHiddenStates": [[1,', 400, 'MalformedRequestError'],
    ['a wrong shape', { questionHiddenStates: 'all of them', nDocs: 2 }, 400, 'MalformedRequestError'],
    ['nDocs 0', { questionHiddenStates: [row(32)], nDocs: 0 }, 400, 'MalformedRequestError'],
    ['a non-number in a vector', { questionHiddenStates: [[...row(31), 'x']], nDocs: 2 }, 400, 'MalformedRequestError'],
    ['nDocs above maxDocs', { questionHiddenStates: [row(32)], nDocs: 301 }, 400, 'RequestLimitError'],
    ['a batch above maxBatch', { questionHiddenStates: Array.from({ length: 5 }, () => row(32)), nDocs: 2 }, 400, 'RequestLimitError'],
    ['rows of another width', { questionHiddenStates: [row(16)], nDocs: 2 }, 422, 'EmbeddingDimensionError'],
    ['nDocs above the corpus size', { questionHiddenStates: [row(32)], nDocs: 260 }, 422, 'NotEnoughPassagesError'],
  ])('POST /retrieve with %s → %i %s', async (_what, body, status, name) => {
    const r = await retrieve(body);
    expect(r.status).toBe(status);
    expect(r.json).toMatchObject({ error: { name, message: expect.any(String), details: expect.any(Object) } });
    expect(r.body).not.toMatch(/ at .*\.ts/); // no stack
  });

  it('a width mismatch names both widths', async () => {
    const r = await retrieve({ questionHiddenStates: [row(32), row(16)], nDocs: 2 });
    expect(r.json).toMatchObject({ error: { name: 'EmbeddingDimensionError', details: { expected: 32, actual: 16 } } });
  });

  it('nDocs above the corpus says how many there are', async () => {
    const r = await retrieve({ questionHiddenStates: [row(32)], nDocs: 260 });
    expect(r.json).toMatchObject({ error: { details: { requested: 260, available: 259 } } });
  });

  it('unknown path → 404, wrong method → 405 with Allow', async () => {
    const missing = await rawRequest(`${server.url}/search`);
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: { name: 'RouteNotFoundError', details: { path: '/search' } } });
    const wrong = await rawRequest(`${server.url}/retrieve`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('POST, OPTIONS');
    expect(wrong.json).toMatchObject({ error: { name: 'MethodNotAllowedError' } });
    expect((await rawRequest(`${server.url}/health`, { method: 'POST', body: '{}' })).status).toBe(405);
  });

  it.each([
    ['/retrieve', 413, 'RequestTooLargeError'],
    ['/health', 405, 'MethodNotAllowedError'],
    ['/nowhere', 404, 'RouteNotFoundError'],
  ])('a declared 100 MiB body to %s is answered %i at once, before any of it is sent, and the connection closed', async (path, status, name) => {
    const reply = await new Promise<{ status: number; body: string; connection?: string }>((resolve, reject) => {
      const req = request(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(100 * 1024 * 1024) } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body, connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.flushHeaders(); // and never a byte of the 100 MiB
    });
    expect(reply.status).toBe(status);
    expect(reply.connection).toBe('close');
    expect(JSON.parse(reply.body)).toMatchObject({ error: { name } });
    if (status === 413) expect(JSON.parse(reply.body)).toMatchObject({ error: { details: { limit: 64 * 1024, received: 100 * 1024 * 1024 } } });
  });

  it('a streamed body (no length) is read only up to the limit: 413 while the client still has most of it', async () => {
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const total = 200; // chunks: 3.2 MiB, 50 × the limit
    const { status, sent, body } = await new Promise<{ status: number; sent: number; body: string }>((resolve) => {
      let sent = 0;
      let answered = false;
      const req = request(`${server.url}/retrieve`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        answered = true;
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, sent, body }));
      });
      req.on('error', () => undefined); // the server closes the connection on the rest
      const pump = () => {
        if (answered || sent >= total) return void req.end();
        sent++;
        req.write(chunk);
        setTimeout(pump, 5);
      };
      pump();
    });
    expect(status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ error: { name: 'RequestTooLargeError' } });
    expect(sent).toBeLessThan(total / 2);
  });

  it('concurrent requests are answered each with its own result', async () => {
    const queries = Array.from({ length: 12 }, (_, i) => row(32, (i % 5) - 2).map((v, j) => v * Math.sin(i + j)));
    const one = await Promise.all(queries.map((q) => retrieve({ questionHiddenStates: [q], nDocs: 3 })));
    const again = await Promise.all(queries.map((q) => retrieve({ questionHiddenStates: [q], nDocs: 3 })));
    expect(again.map((r) => r.body)).toEqual(one.map((r) => r.body));
    expect(new Set(one.map((r) => JSON.stringify((r.json as { docIds: unknown }).docIds))).size).toBeGreaterThan(1);
    expect(failures).toEqual([]);
  });
});

describe('serveRetrieval: CORS', () => {
  const source = listSource('cors', [{ title: 't', text: 'x', embedding: [1, 0] }]);
  const preflight = (url: string, origin: string) =>
    rawRequest(`${url}/retrieve`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' } });

  it('an allowed origin gets the preflight headers and ACAO on replies; another gets 403 and none', async () => {
    const server = await serveRetrieval(source, { cors: ['https://app.example', 'http://localhost:5173'] });
    try {
      const ok = await preflight(server.url, 'http://localhost:5173');
      expect(ok.status).toBe(204);
      expect(ok.headers).toMatchObject({
        'access-control-allow-origin': 'http://localhost:5173',
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': 'content-type, authorization',
        vary: 'Origin',
      });
      const denied = await preflight(server.url, 'https://evil.example');
      expect(denied.status).toBe(403);
      expect(denied.headers['access-control-allow-origin']).toBeUndefined();
      expect(denied.json).toMatchObject({ error: { name: 'OriginNotAllowedError', details: { origin: 'https://evil.example' } } });
      const health = await rawRequest(`${server.url}/health`, { headers: { origin: 'https://app.example' } });
      expect(health.headers['access-control-allow-origin']).toBe('https://app.example');
      const other = await rawRequest(`${server.url}/health`, { headers: { origin: 'https://evil.example' } });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it("'*' allows any origin; the default (no cors) answers no preflight", async () => {
    const open = await serveRetrieval(source, { cors: '*' });
    const closed = await serveRetrieval(source);
    try {
      const any = await preflight(open.url, 'https://anywhere.example');
      expect(any.status).toBe(204);
      expect(any.headers['access-control-allow-origin']).toBe('*');
      const none = await preflight(closed.url, 'https://anywhere.example');
      expect(none.status).toBe(403);
      expect(none.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await open.close();
      await closed.close();
    }
  });

  it('options are checked: a CORS entry that is not an origin, a limit that is not a positive integer', async () => {
    await expect(serveRetrieval(source, { cors: 'https://app.example/' })).rejects.toThrow(/CORS origin/);
    await expect(serveRetrieval(source, { maxDocs: 0 })).rejects.toThrow(expect.objectContaining({ name: 'RagConfigError' }));
  });
});

describe('serveRetrieval: a failing or empty source', () => {
  it('the source throwing (e.g. its database down) → 503 with the error name; an empty one → 422', async () => {
    const failures: unknown[] = [];
    const down = {
      ...listSource('down', [{ title: 't', text: 'x', embedding: [1, 0] }]),
      topPassages: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { name: 'ConnectionError' })),
      count: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
    };
    const server = await serveRetrieval(down, { onError: (e) => failures.push(e) });
    const empty = await serveRetrieval({ ...listSource('empty', []), dimension: 2, topPassages: () => Promise.reject(new EmptyKnowledgeBaseError('empty')) });
    try {
      const r = await rawRequest(`${server.url}/retrieve`, { method: 'POST', body: JSON.stringify({ questionHiddenStates: [[1, 0]], nDocs: 1 }) });
      expect(r.status).toBe(503);
      expect(r.json).toEqual({ error: { name: 'ConnectionError', message: 'connect ECONNREFUSED 127.0.0.1:5432', details: {} } });
      expect((await rawRequest(`${server.url}/health`)).status).toBe(503);
      expect(failures).toHaveLength(2);
      const e = await rawRequest(`${empty.url}/retrieve`, { method: 'POST', body: JSON.stringify({ questionHiddenStates: [[1, 0]], nDocs: 1 }) });
      expect(e.status).toBe(422);
      expect(e.json).toMatchObject({ error: { name: 'EmptyKnowledgeBaseError' } });
    } finally {
      await server.close();
      await empty.close();
    }
  });

  it('a client that hangs up mid-search: the source is told (its signal aborts) and nothing is logged as a failure', async () => {
    const failures: unknown[] = [];
    let aborted!: () => void;
    const sawAbort = new Promise<void>((resolve) => (aborted = resolve));
    const slow = {
      ...listSource('slow', [{ title: 't', text: 'x', embedding: [1, 0] }]),
      topPassages: (_q: Float32Array, _k: number, options?: { signal?: AbortSignal }) =>
        new Promise<never>((_, reject) =>
          options!.signal!.addEventListener('abort', () => {
            aborted();
            reject(options!.signal!.reason);
          }),
        ),
    };
    const server = await serveRetrieval(slow, { onError: (e) => failures.push(e) });
    try {
      const client = new AbortController();
      const reply = fetch(`${server.url}/retrieve`, { method: 'POST', body: JSON.stringify({ questionHiddenStates: [[1, 0]], nDocs: 1 }), signal: client.signal });
      await new Promise((r) => setTimeout(r, 100));
      client.abort();
      await expect(reply).rejects.toThrow();
      await sawAbort;
      await new Promise((r) => setTimeout(r, 50));
      expect(failures).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

// Faults on a real server: down at open, killed mid-ingest (restart, resume), restarted under an open knowledge base.
import { createServer, type Server, type Socket } from 'node:net';
import type { Embedder } from '@rag-web/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startPostgres, type PostgresServer } from '../../../test/postgres-server.js';
import { UnknownPassageError } from '@rag-web/core';
import { PostgresUnavailableError } from './errors.js';
import type { PgIngestRow } from './ingest.js';
import { PgKnowledgeBase } from './pg-knowledge-base.js';

// A real server on a shared 2-core machine: statements take longer than unit tests usually do.
vi.setConfig({ testTimeout: 60_000 });

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres({ persistent: true, maxConnections: 4 });
}, 90_000);

afterAll(async () => {
  await server?.stop();
});

function listen(onConnection: (socket: Socket) => void): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer(onConnection);
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}

const portOf = (s: Server) => (s.address() as { port: number }).port;

describe('Postgres unreachable at open', () => {
  it('connection refused: PostgresUnavailableError naming host:port, at once', async () => {
    const closed = await listen(() => undefined);
    const port = portOf(closed);
    await new Promise((resolve) => closed.close(resolve));
    const started = Date.now();
    const err = (await PgKnowledgeBase.open(`postgres://postgres@127.0.0.1:${port}/postgres`, { dimension: 4 }).catch((e: unknown) => e)) as PostgresUnavailableError;
    expect(err).toBeInstanceOf(PostgresUnavailableError);
    expect(err.name).toBe('PostgresUnavailableError');
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(err.details).toMatchObject({ address: `127.0.0.1:${port}`, reason: expect.stringContaining('ECONNREFUSED') });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a server that accepts and never answers: PostgresUnavailableError after the connect timeout, no hang', async () => {
    const sockets: Socket[] = [];
    const silent = await listen((socket) => sockets.push(socket));
    const started = Date.now();
    const open = PgKnowledgeBase.open(`postgres://postgres@127.0.0.1:${portOf(silent)}/postgres`, { dimension: 4, connectionTimeoutMillis: 500 });
    await expect(open).rejects.toThrow(PostgresUnavailableError);
    expect(Date.now() - started).toBeLessThan(3000);
    sockets.forEach((s) => s.destroy());
    await new Promise((resolve) => silent.close(resolve));
  });
});

describe('killed mid-ingest', () => {
  const d = 16;
  const batchSize = 25;
  const total = 250;
  const rows: PgIngestRow[] = Array.from({ length: total }, (_, i) => ({ title: `title ${i}`, text: `passage ${i}: 'quoted' \\ text` }));
  const vectorOf = (text: string) => Float32Array.from({ length: d }, (_, j) => Math.sin(parseInt(/\d+/.exec(text)![0], 10) * 0.37 + j));

  it('rejects with PostgresUnavailableError, leaves whole batches, and the same ingest resumes: ids 0…N−1 once each, passages equal to the input', async () => {
    let killed: Promise<void> | undefined;
    const embedder: Embedder & { passages: number } = {
      modelId: 'toy-ctx',
      dimension: d,
      passages: 0,
      async embed(batch) {
        // The server dies between batch 2's commit and batch 3's write.
        await killed;
        this.passages += batch.length;
        return Float32Array.from(batch.flatMap((p) => Array.from(vectorOf(p.text))));
      },
    };
    const kb = await PgKnowledgeBase.open(server.url, { name: 'resume', dimension: d, index: 'hnsw', maxConnections: 2 });
    const ingest = kb.ingest(rows, {
      embedder,
      batchSize,
      onProgress: (e) => {
        if (e.status === 'progress' && e.done === 2 * batchSize) killed = server.kill();
      },
    });
    await expect(ingest).rejects.toThrow(PostgresUnavailableError);
    await kb.close();

    await server.restart();
    const reopened = await PgKnowledgeBase.open(server.url, { name: 'resume', maxConnections: 2 });
    const visible = await reopened.count();
    expect(visible).toBe(2 * batchSize);
    expect(reopened.manifest).toMatchObject({ nextId: visible, checkpoint: { startId: 0, total, done: visible } });
    await expect(reopened.getPassages([visible])).rejects.toThrow(UnknownPassageError);

    embedder.passages = 0;
    const events: string[] = [];
    const result = await reopened.ingest(rows, { embedder, batchSize, onProgress: (e) => events.push(e.status) });
    expect(result).toEqual({ firstId: 0, count: total, resumed: visible, embedded: total - visible });
    expect(embedder.passages).toBe(total - visible);
    expect(events.slice(0, 3)).toEqual(['parsed', 'resumed', 'progress']);
    expect(await reopened.count()).toBe(total);
    expect(reopened.manifest.checkpoint).toBeNull();

    const all = await reopened.getPassages(rows.map((_, i) => i));
    expect(all.map(({ id, title, text }) => ({ id, title, text }))).toEqual(rows.map((r, id) => ({ id, title: r.title, text: r.text })));
    all.forEach((p) => expect(Array.from(p.embedding)).toEqual(Array.from(vectorOf(p.text))));
    // No row beyond the input, none twice (the primary key would refuse it, and count(*) says so).
    const hits = await reopened.search(vectorOf(rows[7]!.text), total, { exact: true });
    expect([...hits.ids].sort((a, b) => a - b)).toEqual(rows.map((_, i) => i));
    expect(hits.ids[0]).toBe(7);
    await reopened.close();
  });

  it("killed inside a batch's transaction (after its INSERT, before the manifest update): none of its rows survive, and the rerun completes", async () => {
    const pool = new pg.Pool({ connectionString: server.url, max: 1 });
    pool.on('error', () => undefined);
    let batches = 0;
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
      (client as unknown as { query: typeof query }).query = async (...args) => {
        if (typeof args[0] === 'string' && args[0].startsWith('UPDATE') && ++batches === 3) await server.kill();
        return query(...args);
      };
    });
    const input = rows.map((r) => ({ ...r, embedding: vectorOf(r.text) }));
    const kb = await PgKnowledgeBase.open(pool, { name: 'torn', dimension: d, index: 'exact' });
    await expect(kb.ingest(input, { batchSize })).rejects.toThrow(PostgresUnavailableError);
    await pool.end();

    await server.restart();
    const reopened = await PgKnowledgeBase.open(server.url, { name: 'torn', maxConnections: 1 });
    expect(await reopened.count()).toBe(2 * batchSize);
    const client = new pg.Client(server.url);
    await client.connect();
    // Not merely hidden by next_id: the third batch's INSERT was rolled back with its transaction.
    expect((await client.query('SELECT count(*)::int AS n, max(id) AS last FROM torn_passages')).rows).toEqual([{ n: 2 * batchSize, last: 2 * batchSize - 1 }]);
    await client.end();
    await expect(reopened.ingest(input, { batchSize })).resolves.toEqual({ firstId: 0, count: total, resumed: 2 * batchSize, embedded: 0 });
    expect((await reopened.getPassages(input.map((_, i) => i))).map((p) => p.text)).toEqual(input.map((r) => r.text));
    await reopened.close();
  });

  it('an open knowledge base outlives a server restart: the next call reconnects', async () => {
    const kb = await PgKnowledgeBase.open(server.url, { name: 'restarted', dimension: d, index: 'exact', maxConnections: 2 });
    await kb.ingest(rows.slice(0, 10).map((r) => ({ ...r, embedding: vectorOf(r.text) })));
    const before = await kb.search(vectorOf(rows[3]!.text), 3);
    await server.restart();
    expect(await kb.count()).toBe(10);
    expect(await kb.search(vectorOf(rows[3]!.text), 3)).toEqual(before);
    await kb.close();
  });
});

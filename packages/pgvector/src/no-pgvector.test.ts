// A Postgres without the pgvector extension: opening says to install it.
import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startPostgres, type PostgresServer } from '../../../test/postgres-server.js';
import { PgVectorMissingError } from './errors.js';
import { PgKnowledgeBase } from './pg-knowledge-base.js';

// A real server on a shared 2-core machine: statements take longer than unit tests usually do.
vi.setConfig({ testTimeout: 60_000 });

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres({ pgvector: false, maxConnections: 2 });
}, 90_000);

afterAll(async () => {
  await server?.stop();
});

it('PgVectorMissingError that says how to install pgvector, and nothing created', async () => {
  const err = (await PgKnowledgeBase.open(server.url, { dimension: 4, maxConnections: 1 }).catch((e: unknown) => e)) as PgVectorMissingError;
  expect(err).toBeInstanceOf(PgVectorMissingError);
  expect(err.name).toBe('PgVectorMissingError');
  expect(err.message).toMatch(/CREATE EXTENSION vector/);
  expect(err.details).toMatchObject({ address: `127.0.0.1:${server.port}` });
  const client = new pg.Client(server.url);
  await client.connect();
  try {
    expect((await client.query('SELECT to_regclass($1) AS t', ['rag_manifest'])).rows).toEqual([{ t: null }]);
  } finally {
    await client.end();
  }
});

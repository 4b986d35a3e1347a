import { readFileSync } from 'node:fs';
import { RagConfigError, RagRetriever } from '@rag-web/core';
import { parsePassagesJsonl, readNpy } from '@rag-web/retriever';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectClose } from '../../../test/expect-close.js';
import { FIXTURE_CASES, fixturePath, readReference } from '../../../test/fixture-files.js';
import { startPostgres, type PostgresServer } from '../../../test/postgres-server.js';
import { seededRandom } from '../../../test/seeded-random.js';
import { tolerances } from '../../../test/tolerances.js';
import { fixtureKb } from '../../retriever/test/fixture-kb.js';
import { fixtureRagConfig, fixtureTokenizers } from '../../retriever/test/fixture-retrieval.js';
import {
  EmbeddingDimensionError,
  EmbeddingModelError,
  EmptyKnowledgeBaseError,
  NonFiniteEmbeddingError,
  NotEnoughPassagesError,
  PgKnowledgeBaseConflictError,
  UnknownPassageError,
  UnstorableTextError,
} from './errors.js';
import type { PgIngestEvent, PgIngestRow } from './ingest.js';
import { PgKnowledgeBase } from './pg-knowledge-base.js';

// A real server on a shared 2-core machine: statements take longer than unit tests usually do.
vi.setConfig({ testTimeout: 60_000 });

let server: PostgresServer;
let pool: pg.Pool;

beforeAll(async () => {
  server = await startPostgres({ maxConnections: 4 });
  pool = new pg.Pool({ connectionString: server.url, max: 4 });
}, 90_000);

afterAll(async () => {
  await pool?.end();
  await server?.stop();
});

function fixtureRows(caseName: string): PgIngestRow[] {
  const rows = parsePassagesJsonl(readFileSync(fixturePath(`${caseName}/passages.jsonl`), 'utf8'));
  const emb = readNpy(new Uint8Array(readFileSync(fixturePath(`${caseName}/passage_embeddings.npy`))));
  return rows.map((r, i) => ({ title: r.title, text: r.text, embedding: emb.data.slice(i * emb.cols, (i + 1) * emb.cols) }));
}

/** `n` passages of seeded random unit-scale embeddings. */
function randomRows(n: number, d: number, seed: number, text = (i: number) => `passage ${i}`): PgIngestRow[] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => ({ title: `t${i}`, text: text(i), embedding: Float32Array.from({ length: d }, () => rand() * 2 - 1) }));
}

const tableName = (caseName: string) => `fx_${caseName.replace(/-/g, '_')}`;

describe.each(FIXTURE_CASES)('PgKnowledgeBase against transformers and ExactIndex (%s)', (caseName) => {
  const ref = readReference(caseName);
  const config = fixtureRagConfig(caseName);
  const tokenizers = fixtureTokenizers(caseName);

  it('exact search through RagRetriever: reference doc ids, context strings and input ids; ExactIndex ids; HNSW ids', async () => {
    const rows = fixtureRows(caseName);
    const kb = await PgKnowledgeBase.open(pool, { name: tableName(caseName), dimension: config.retrievalVectorSize, index: 'exact' });
    const result = await kb.ingest(rows, { modelId: `${caseName}/ctx-encoder`, batchSize: 128 });
    expect(result).toEqual({ firstId: 0, count: rows.length, resumed: 0, embedded: 0 });
    expect(await kb.count()).toBe(rows.length);

    const retriever = new RagRetriever(kb, config, tokenizers);
    const browser = await fixtureKb(caseName, 'exact');
    const hidden = Float32Array.from(ref.per_question.flatMap((q) => q.question_pooled));
    for (const q of ref.per_question) {
      const out = await retriever.call([q.question_input_ids], Float32Array.from(q.question_pooled));
      expect(out.docIds).toEqual([q.doc_ids]);
      expect(out.contextStrings).toEqual(q.context_strings);
      expect(out.contextInputIds).toEqual(q.context_input_ids);
      // The embeddings handed to the generator are the ingested float32 rows, bit for bit.
      expect(Array.from(out.retrievedDocEmbeds)).toEqual(q.doc_ids.flatMap((id) => Array.from(rows[id]!.embedding!)));
      const { scores } = await kb.search(Float32Array.from(q.question_pooled), config.nDocs);
      expectClose(scores, q.doc_scores, tolerances.retriever.hfDocScores, `${q.question} doc scores`);
    }

    // Every question as one batch, k = 10: the in-browser ExactIndex's ids and scores.
    const mine = await kb.search(hidden, 10);
    const theirs = await browser.search(hidden, 10);
    expect(Array.from(mine.ids)).toEqual(Array.from(theirs.ids));
    expectClose(mine.scores, theirs.scores, tolerances.retriever.hfDocScores, 'scores against ExactIndex');

    // HNSW on the same table: the tiny corpus is searched exhaustively by the graph (built with more
    // maintenance_work_mem, as a large corpus wants: a bound setting, for this statement only).
    await kb.buildIndex({ maintenanceWorkMem: '256MB' });
    const hnsw = await PgKnowledgeBase.open(pool, { name: tableName(caseName), index: 'hnsw' });
    expect(hnsw.dimension).toBe(config.retrievalVectorSize);
    const approx = await hnsw.search(hidden, 10);
    expect(Array.from(approx.ids)).toEqual(Array.from(mine.ids));
    const top = await hnsw.topPassages(hidden, config.nDocs);
    expect(Array.from(top.ids)).toEqual(ref.per_question.flatMap((q) => q.doc_ids));
    expect(top.passages.map((p) => p.id)).toEqual(Array.from(top.ids));
    await Promise.all([kb.close(), hnsw.close(), browser.close()]);
  });
});

describe('PgKnowledgeBase', () => {
  it('HNSW: the index is used, ef_search is raised to k, results re-sorted by (score desc, id asc); float32 round-trips bit for bit', async () => {
    const d = 24;
    const rows = randomRows(600, d, 7);
    // Duplicated vectors under other ids: equal scores must rank the lower id first.
    rows.push({ title: 'dup', text: 'of 5', embedding: rows[5]!.embedding! }, { title: 'dup', text: 'of 9', embedding: rows[9]!.embedding! });
    // Extreme float32 values: subnormal, largest, smallest normal, negative zero.
    rows[3]!.embedding!.set([1.4e-45, 3.4028234663852886e38, 1.1754943508222875e-38, -0], 0);
    const events: PgIngestEvent[] = [];
    const kb = await PgKnowledgeBase.open(pool, { name: 'hnsw_rand', dimension: d, hnsw: { m: 8, efConstruction: 40, efSearch: 10 } });
    await kb.ingest(rows, { batchSize: 200, onProgress: (e) => events.push(e) });
    expect(events.map((e) => e.status)).toEqual(['parsed', 'progress', 'progress', 'progress', 'progress', 'indexing', 'done']);
    expect(kb.manifest.hnsw).toEqual({ m: 8, efConstruction: 40, efSearch: 10 });
    const indexes = await pool.query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE tablename = $1', ['hnsw_rand_passages']);
    expect(indexes.rows.map((r) => r.indexdef).join('\n')).toMatch(/USING hnsw \(embedding vector_ip_ops\) WITH \(m='?8'?, ef_construction='?40'?\)/);

    const stored = await kb.getPassages(rows.map((_, i) => i));
    stored.forEach((p, i) => expect(new Uint8Array(p.embedding.buffer)).toEqual(new Uint8Array(rows[i]!.embedding!.buffer)));

    // k = 50 > efSearch = 10: still 50 results per row.
    const queries = Float32Array.from([...rows[5]!.embedding!, ...rows[9]!.embedding!, ...rows[100]!.embedding!]);
    const approx = await kb.search(queries, 50);
    const exact = await kb.search(queries, 50, { exact: true });
    expect(approx.ids.length).toBe(150);
    for (let q = 0; q < 3; q++) {
      const row = Array.from(approx.scores.subarray(q * 50, (q + 1) * 50));
      expect(row).toEqual([...row].sort((a, b) => b - a));
      const truth = new Set(exact.ids.subarray(q * 50, (q + 1) * 50));
      expect(Array.from(approx.ids.subarray(q * 50, (q + 1) * 50)).filter((id) => truth.has(id)).length).toBeGreaterThanOrEqual(45);
    }
    // The query is passage 5's vector: passages 5 and 600 score the same; 5 first, both ways.
    expect(exact.ids.indexOf(600)).toBe(exact.ids.indexOf(5) + 1);
    expect(approx.ids.indexOf(600)).toBe(approx.ids.indexOf(5) + 1);

    // The planner really scans the HNSW index for the approximate query.
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('enable_seqscan', 'off', true)");
      const plan = await client.query('EXPLAIN SELECT id FROM hnsw_rand_passages ORDER BY embedding <#> $1::vector LIMIT 5', [`[${Array.from(rows[5]!.embedding!).join(',')}]`]);
      expect(plan.rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n')).toContain('hnsw_rand_hnsw');
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    await kb.close();
  });

  it('SQL-looking, quoted, backslashed and non-ASCII passage text round-trips verbatim and the tables survive', async () => {
    const d = 4;
    const nasty = [
      "'); DROP TABLE sql_passages; --",
      'Robert"); DROP TABLE sql_manifest;--',
      "It's a \\'quote\\' and a backslash \\ at the end\\",
      '{"a":1}, {b}, ARRAY[1,2], $1, $$dollar$$, E\'\\x00\'',
      'tabs\tand\nnewlines\r\n, emoji 🎉, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢, NULL',
      '',
    ];
    const rows = nasty.map((text, i) => ({ title: `"${text}"`, text, embedding: Float32Array.from({ length: d }, (_, j) => (i === j ? 1 : 0.1)) }));
    const kb = await PgKnowledgeBase.open(pool, { name: 'sql', dimension: d, index: 'exact' });
    await kb.ingest(rows);
    const back = await kb.getPassages([0, 1, 2, 3, 4, 5]);
    expect(back.map(({ title, text }) => ({ title, text }))).toEqual(rows.map(({ title, text }) => ({ title, text })));
    const tables = await pool.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename = ANY($1) ORDER BY tablename', [['sql_manifest', 'sql_passages']]);
    expect(tables.rows.map((r) => r.tablename)).toEqual(['sql_manifest', 'sql_passages']);
    expect(await kb.count()).toBe(6);

    // NUL and lone surrogates cannot be Postgres text: refused before anything is written.
    await expect(kb.ingest([{ title: 't', text: 'a\0b', embedding: new Float32Array(d) }])).rejects.toThrow(UnstorableTextError);
    await expect(kb.ingest([{ title: 'x\uD800', text: 'b', embedding: new Float32Array(d) }])).rejects.toMatchObject({ name: 'UnstorableTextError', details: { passage: 1, field: 'title' } });
    expect(await kb.count()).toBe(6);
    // A table name is an identifier, never SQL.
    await expect(PgKnowledgeBase.open(pool, { name: 'x"; DROP TABLE sql_passages; --', dimension: d })).rejects.toThrow(RagConfigError);
    await expect(PgKnowledgeBase.open(pool, { name: 'Upper', dimension: d })).rejects.toThrow(RagConfigError);
    await kb.close();
  });

  it('typed errors: dimension mismatch, another model, empty, k too big, non-finite, missing knowledge base, unknown ids', async () => {
    const d = 8;
    await expect(PgKnowledgeBase.open(pool, { name: 'not_there' })).rejects.toThrow(RagConfigError);
    const kb = await PgKnowledgeBase.open(pool, { name: 'errs', dimension: d, modelId: 'sha256:' + 'a'.repeat(64), index: 'exact' });
    await expect(kb.topPassages(new Float32Array(d), 1)).rejects.toThrow(EmptyKnowledgeBaseError);
    await expect(kb.ingest([{ title: 't', text: 'x', embedding: new Float32Array(d + 1) }])).rejects.toThrow(EmbeddingDimensionError);
    await expect(kb.ingest([{ title: 't', text: 'x', embedding: Float32Array.from({ length: d }, (_, i) => (i === 3 ? NaN : 1)) }])).rejects.toThrow(NonFiniteEmbeddingError);
    expect(await kb.count()).toBe(0);

    await kb.ingest(randomRows(3, d, 1), { modelId: 'sha256:' + 'a'.repeat(64) });
    await expect(kb.topPassages(new Float32Array(d), 4)).rejects.toMatchObject({ name: 'NotEnoughPassagesError', details: { requested: 4, available: 3 } });
    await expect(kb.search(new Float32Array(d).fill(Infinity), 1)).rejects.toThrow(NonFiniteEmbeddingError);
    await expect(kb.ingest(randomRows(2, d, 2), { modelId: 'sha256:' + 'b'.repeat(64) })).rejects.toThrow(EmbeddingModelError);
    await expect(PgKnowledgeBase.open(pool, { name: 'errs', dimension: d * 2 })).rejects.toMatchObject({ name: 'EmbeddingDimensionError', details: { expected: d, actual: 2 * d } });
    await expect(PgKnowledgeBase.open(pool, { name: 'errs', modelId: 'sha256:' + 'c'.repeat(64) })).rejects.toThrow(EmbeddingModelError);
    await expect(kb.getPassages([0, 3])).rejects.toThrow(UnknownPassageError);
    await expect(kb.topPassages(new Float32Array(d), 4)).rejects.toThrow(NotEnoughPassagesError);
    expect(await kb.count()).toBe(3);

    // Two knowledge-base objects writing the same table: the one with a stale manifest is refused whole.
    const other = await PgKnowledgeBase.open(pool, { name: 'errs' });
    await other.ingest(randomRows(1, d, 3));
    await expect(kb.writeBatch([{ id: 3, title: 't', text: 'x', embedding: new Float32Array(d) }], { modelId: '', checkpoint: null })).rejects.toThrow(PgKnowledgeBaseConflictError);
    expect(await kb.count()).toBe(4);
    await Promise.all([kb.close(), other.close()]);
  });

  it('an aborted ingest keeps its committed batches visible and the same input resumes; other input is appended', async () => {
    const d = 5;
    const rows = randomRows(50, d, 21);
    const kb = await PgKnowledgeBase.open(pool, { name: 'aborted', dimension: d, index: 'exact' });
    const controller = new AbortController();
    const onProgress = (e: PgIngestEvent) => {
      if (e.status === 'progress' && e.done === 20) controller.abort();
    };
    await expect(kb.ingest(rows, { batchSize: 10, signal: controller.signal, onProgress })).rejects.toMatchObject({ name: 'AbortError' });
    expect(await kb.count()).toBe(20);
    expect(kb.manifest.checkpoint).toMatchObject({ startId: 0, total: 50, done: 20 });
    // One passage changed: another input, not a resume.
    const changed = rows.map((r, i) => (i === 49 ? { ...r, text: 'changed' } : r));
    const other = await kb.ingest(changed.slice(0, 5), { batchSize: 10 });
    expect(other).toEqual({ firstId: 20, count: 5, resumed: 0, embedded: 0 });
    await expect(kb.ingest(rows, { batchSize: 10 })).resolves.toEqual({ firstId: 25, count: 50, resumed: 0, embedded: 0 });
    expect(await kb.count()).toBe(75);

    const again = await PgKnowledgeBase.open(pool, { name: 'aborted_2', dimension: d, index: 'exact' });
    await expect(again.ingest(rows, { batchSize: 15, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    const stopped = new AbortController();
    await expect(again.ingest(rows, { batchSize: 15, signal: stopped.signal, onProgress: (e) => e.status === 'progress' && stopped.abort() })).rejects.toThrow();
    const events: PgIngestEvent[] = [];
    expect(await again.ingest(rows, { batchSize: 15, onProgress: (e) => events.push(e) })).toEqual({ firstId: 0, count: 50, resumed: 15, embedded: 0 });
    expect(events[1]).toEqual({ status: 'resumed', done: 15, total: 50 });
    const back = await again.getPassages(rows.map((_, i) => i));
    expect(back.map((p) => p.text)).toEqual(rows.map((r) => r.text));
    await Promise.all([kb.close(), again.close()]);
  });

  it('the encoder probe is recorded bit for bit and a different one is refused as another model', async () => {
    const d = 6;
    const probe = Float32Array.from([0.1, -0.2, 0.3, 1e-7, 5, -0]);
    const kb = await PgKnowledgeBase.open(pool, { name: 'probed', dimension: d, index: 'exact' });
    await kb.ingest(randomRows(3, d, 5), { modelId: 'dpr', encoderProbe: probe });
    expect(kb.manifest.encoderProbe).toEqual(Array.from(probe));
    await expect(kb.ingest(randomRows(1, d, 6), { modelId: 'dpr', encoderProbe: Float32Array.from([-0.1, 0.2, -0.3, 0, -5, 0]) })).rejects.toThrow(EmbeddingModelError);
    await expect(kb.ingest(randomRows(1, d, 6), { modelId: 'dpr', encoderProbe: new Float32Array(d + 1) })).rejects.toThrow(EmbeddingDimensionError);
    await expect(kb.ingest(randomRows(1, d, 6), { modelId: 'dpr', encoderProbe: probe })).resolves.toMatchObject({ firstId: 3, count: 1 });
    expect(await kb.count()).toBe(4);
    await kb.close();
  });

  it('an embedder fills in missing embeddings; a given pool stays open after close', async () => {
    const d = 6;
    const embedder = {
      modelId: 'toy',
      dimension: d,
      calls: 0,
      async embed(passages: Array<{ title: string; text: string }>) {
        this.calls++;
        return Float32Array.from(passages.flatMap((p) => Array.from({ length: d }, (_, j) => p.text.length + j)));
      },
    };
    const kb = await PgKnowledgeBase.open(pool, { name: 'embedded', dimension: d, index: 'exact' });
    const rows = [{ title: 'a', text: 'x' }, { title: 'b', text: 'yy', embedding: new Float32Array(d).fill(-1) }, { title: 'c', text: 'zzz' }];
    const result = await kb.ingest(rows, { embedder, batchSize: 2 });
    expect(result).toEqual({ firstId: 0, count: 3, resumed: 0, embedded: 2 });
    expect(embedder.calls).toBe(2);
    expect(kb.manifest.modelId).toBe('toy');
    const [p0, p1, p2] = await kb.getPassages([0, 1, 2]);
    expect(Array.from(p0!.embedding)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(p1!.embedding)).toEqual(Array(d).fill(-1));
    expect(Array.from(p2!.embedding)).toEqual([3, 4, 5, 6, 7, 8]);
    await kb.close();
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});

/**
 * Retrieval at scale on Postgres + pgvector, beside the in-browser indexes on the same vectors:
 *
 *   pnpm bench:pgvector [--n 100000] [--dim 768] [--queries 200] [--k 10] [--ef 40,64,100,200,400]
 *                       [--target 0.98] [--batch 1000] [--maintenance-work-mem 1GB] [--hnsw-node 1] [--url postgres://…] [--out bench/results]
 *
 * The corpus and queries are bench/retriever's seeded low-rank unit vectors (`makeVectors`), the
 * same data as `pnpm bench:retriever --n 100000`, whose in-browser rows RESULTS.md shows.
 * Without `--url` a PGlite server (test/postgres-server.ts: PostgreSQL 18 + pgvector 0.8.7 in
 * WASM, one thread) is started on a temporary folder; with it, any Postgres with pgvector.
 *
 * Measured, one run, side by side:
 * - ingest: `PgKnowledgeBase.ingest` of all passages with their embeddings (`--batch` rows per
 *   transaction), then the HNSW build (`CREATE INDEX … USING hnsw (embedding vector_ip_ops)`,
 *   m = 16, ef_construction = 64: the in-browser HnswIndex's parameters), with
 *   `maintenance_work_mem` raised so that the graph is built in memory (pgvector's advice);
 * - queries one at a time from Node through `pg` (`search`: ids and scores): p50/p99 over
 *   `--queries`, exact (`ORDER BY embedding <#> q, id`) and HNSW for each ef of the sweep up to
 *   the first with recall ≥ target; at that ef also `topPassages` (passages and embeddings
 *   fetched too, what a retrieval server asks);
 * - recall@k of each against ExactIndex (plain JS, this repo's ground truth);
 * - in Node, the in-browser HnswIndex (hnswlib-wasm, the same WASM as in the page) built and
 *   swept on the same vectors (`--hnsw-node 0` skips it: ~4 min of build at 100k × 768).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PgKnowledgeBase } from '../../packages/pgvector/src/index.js';
import { ExactIndex } from '../../packages/retriever/src/exact-index.js';
import { HNSW_DEFAULTS, HnswIndex } from '../../packages/retriever/src/hnsw-index.js';
import { startPostgres } from '../../test/postgres-server.js';
import { machineFacts } from '../machine.js';
import { makeVectors } from '../retriever/data.js';
import { median, quantile } from '../stats.js';

const repoRoot = new URL('../..', import.meta.url).pathname;
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const n = Number(arg('n', '100000'));
const dim = Number(arg('dim', '768'));
const nq = Number(arg('queries', '200'));
const k = Number(arg('k', '10'));
const efList = arg('ef', '40,64,100,200,400,800').split(',').map(Number);
const target = Number(arg('target', '0.98'));
const batchSize = Number(arg('batch', '1000'));
const maintenanceWorkMem = arg('maintenance-work-mem', '1GB');
const hnswNode = arg('hnsw-node', '1') !== '0';
const outDir = resolve(arg('out', join(repoRoot, 'bench/results')));

interface Row {
  system: string;
  ef?: number;
  p50: number;
  p99: number;
  mean: number;
  recall: number;
}

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const load = { before: loadavg(), after: [] as number[] };

const data = await makeVectors({ data: 'lowrank', n, dim, queries: nq, normalize: true });
log(`data: ${data.description}`);
const query = (q: number) => data.queries.subarray(q * dim, (q + 1) * dim);

// Ground truth: exact inner product in plain JS.
const exact = new ExactIndex(dim, null);
exact.add(
  Array.from({ length: n }, (_, i) => i),
  data.vectors,
);
const truth: number[][] = [];
for (let q = 0; q < nq; q++) truth.push(Array.from((await exact.search(query(q), k)).ids));
exact.dispose();
const recallOf = (got: number[][]) => got.reduce((s, ids, q) => s + ids.filter((id) => truth[q]!.includes(id)).length, 0) / (nq * k);

/** Times `search` over every query, one at a time (after 5 warm-up queries). */
async function timed(system: string, search: (q: Float32Array) => Promise<ArrayLike<number>>, ef?: number): Promise<Row> {
  for (let q = 0; q < Math.min(5, nq); q++) await search(query(q));
  const ms: number[] = [];
  const got: number[][] = [];
  for (let q = 0; q < nq; q++) {
    const t = performance.now();
    got.push(Array.from(await search(query(q))));
    ms.push(performance.now() - t);
  }
  const row: Row = { system, ...(ef === undefined ? {} : { ef }), p50: median(ms), p99: quantile(ms, 0.99), mean: ms.reduce((a, b) => a + b, 0) / nq, recall: recallOf(got) };
  log(`${system}${ef === undefined ? '' : ` ef=${ef}`}: p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms, recall@${k} ${row.recall.toFixed(3)}`);
  return row;
}

/** Sweeps ef upwards until recall reaches the target; `at(ef)` gives the search at that ef and what to release after. */
async function sweep(system: string, at: (ef: number) => Promise<{ search: (q: Float32Array) => Promise<ArrayLike<number>>; release?: () => Promise<void> }>): Promise<Row[]> {
  const rows: Row[] = [];
  for (const ef of efList) {
    const { search, release } = await at(ef);
    try {
      rows.push(await timed(system, search, ef));
    } finally {
      await release?.();
    }
    if (rows.at(-1)!.recall >= target) break;
  }
  return rows;
}

const rows: Row[] = [];
const build: Record<string, number> = {};

// Postgres: ingest, HNSW build, exact and HNSW queries.
const external = process.argv.includes('--url') ? arg('url', '') : undefined;
const dataDir = external ? undefined : mkdtempSync(join(tmpdir(), 'pg-bench-'));
const server = external ? undefined : await startPostgres({ dataDir, maxConnections: 4 });
const url = external ?? server!.url;
try {
  const name = `bench_${n}_${dim}`;
  const kb = await PgKnowledgeBase.open(url, { name, dimension: dim, modelId: 'bench:lowrank', index: 'exact', hnsw: { m: HNSW_DEFAULTS.m, efConstruction: HNSW_DEFAULTS.efConstruction } });
  try {
    const passages = Array.from({ length: n }, (_, i) => ({ title: `doc ${i}`, text: `passage ${i}`, embedding: data.vectors.subarray(i * dim, (i + 1) * dim) }));
    let t = performance.now();
    let lastLog = t;
    await kb.ingest(passages, {
      batchSize,
      onProgress: (e) => {
        if ('done' in e && performance.now() - lastLog > 20_000) {
          lastLog = performance.now();
          log(`  ingest ${e.done} / ${n}`);
        }
      },
    });
    build.postgresIngestMs = performance.now() - t;
    log(`postgres ingest: ${(build.postgresIngestMs / 1000).toFixed(1)} s (${((n / build.postgresIngestMs) * 1000).toFixed(0)} rows/s)`);
    rows.push(await timed('postgres exact (<#>)', async (q) => (await kb.search(q, k, { exact: true })).ids));
    t = performance.now();
    await kb.buildIndex({ maintenanceWorkMem });
    build.postgresHnswMs = performance.now() - t;
    log(`postgres HNSW build: ${(build.postgresHnswMs / 1000).toFixed(1)} s`);
    const swept = await sweep('postgres HNSW (vector_ip_ops)', async (efSearch) => {
      const hnswKb = await PgKnowledgeBase.open(url, { name, index: 'hnsw', hnsw: { efSearch } });
      return { search: async (q) => (await hnswKb.search(q, k)).ids, release: () => hnswKb.close() };
    });
    rows.push(...swept);
    // What a retrieval server pays per question: the search plus the passages and their embeddings.
    const efSearch = swept.at(-1)!.ef!;
    const full = await PgKnowledgeBase.open(url, { name, index: 'hnsw', hnsw: { efSearch } });
    try {
      rows.push(await timed('postgres HNSW + passages and embeddings (topPassages)', async (q) => (await full.topPassages(q, k)).ids, efSearch));
    } finally {
      await full.close();
    }
  } finally {
    await kb.close();
  }
} finally {
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

// The in-browser index, run in Node on the same vectors (the same hnswlib-wasm module as in the page).
if (hnswNode) {
  const t = performance.now();
  const index = await HnswIndex.create(dim, HNSW_DEFAULTS, n);
  for (let from = 0; from < n; from += 10_000) {
    const to = Math.min(n, from + 10_000);
    index.add(
      Array.from({ length: to - from }, (_, i) => from + i),
      data.vectors.subarray(from * dim, to * dim),
    );
  }
  build.hnswNodeMs = performance.now() - t;
  log(`in-browser HnswIndex (Node) build: ${(build.hnswNodeMs / 1000).toFixed(1)} s`);
  rows.push(
    ...(await sweep('HnswIndex (hnswlib-wasm, in Node)', async (ef) => {
      index.efSearch = ef;
      return { search: async (q) => (await index.search(q, k)).ids };
    })),
  );
  index.dispose();
}
load.after = loadavg();

// The in-browser rows of the same data from `pnpm bench:retriever --n 100000`, when that run exists.
const browserFile = join(outDir, `retriever-${machineFacts().cores}core.json`);
const browserRun = existsSync(browserFile) ? (JSON.parse(readFileSync(browserFile, 'utf8')) as { runs: Record<string, unknown> }).runs[`lowrank-${n}x${dim}`] : undefined;

const result = { suite: 'pgvector', date: new Date().toISOString(), machine: machineFacts(), load, n, dim, queries: nq, k, target, batchSize, maintenanceWorkMem, external: external !== undefined, build, rows, browserRun: browserRun ? `see retriever-${machineFacts().cores}core.json runs["lowrank-${n}x${dim}"]` : null };
mkdirSync(outDir, { recursive: true });
const file = join(outDir, `pgvector-${machineFacts().cores}core.json`);
writeFileSync(file, `${JSON.stringify(result, null, 1)}\n`);
console.log(`\n| system | ef | p50 ms | p99 ms | mean ms | recall@${k} |\n| --- | ---: | ---: | ---: | ---: | ---: |`);
for (const r of rows) console.log(`| ${r.system} | ${r.ef ?? '–'} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.mean.toFixed(2)} | ${r.recall.toFixed(3)} |`);
console.log(`\nbuild: ${Object.entries(build).map(([key, ms]) => `${key} ${(ms / 1000).toFixed(1)} s`).join(', ')}; load ${load.before.map((l) => l.toFixed(1)).join('/')} → ${load.after.map((l) => l.toFixed(1)).join('/')}`);
console.log(`wrote ${file}`);

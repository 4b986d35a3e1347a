/**
 * Retrieval benchmark: one page, the same corpus and the same queries through every index of
 * systems.ts, side by side.
 *
 * - Exact CPU runs first: its top-k is the ground truth every recall@k is measured against.
 * - Queries run one at a time, as a RAG app asks them, each timed on its own
 *   (performance.now(), 5 µs resolution in this cross-origin isolated page): p10/p50/p90/p99 and
 *   the mean over `queries` queries (exact GPU also as one batch).
 * - HNSW-type indexes: an ef sweep over `efList` (ascending, one pass each) that stops at the
 *   first ef whose recall@k reaches `target`; that ef then gets `repeats` passes in all, whose
 *   pooled times give the row and whose per-pass p99s give the spread. Ours also gets a row at
 *   its shipped default efSearch.
 * - Build time = filling the index (GPU: plus the corpus upload and first pipeline compile);
 *   a build past `budgetS` stops and the row records how far it got.
 * - Index bytes = what the library's own save/serialize produces, written to IndexedDB (database
 *   `retriever-bench`, then deleted again) as the knowledge base writes our graph blob; the
 *   time of the serialization and of the IndexedDB transaction, and navigator.storage.estimate()'s
 *   usage before and after, are recorded.
 * A system that throws records its error and the page goes on with the next one.
 */
import { acquireGpuDevice, type GpuAdapterSummary } from '../../packages/core/src/gpu/device.js';
import { HNSW_DEFAULTS } from '../../packages/retriever/src/hnsw-index.js';
import { makeVectors, type BenchData } from './data.js';
import { PARTIAL_MARKER } from './report.js';
import { BuildBudgetError, explain, SYSTEM_FACTORIES, type BenchSystem, type Persisted, type SystemId } from './systems.js';

export interface LatencyStats {
  samples: number;
  mean: number;
  p10: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** min–max of the per-pass p99 over the repeated passes (one value when one pass). */
  p99Passes: number[];
}

export interface SweepPoint {
  ef: number;
  recall: number;
  p50: number;
  p99: number;
  mean: number;
}

export interface ResultRow {
  label: string;
  ef?: number;
  recall: number;
  latency: LatencyStats;
  /** For the one-batch GPU row: ms for all queries together. */
  batchMs?: number;
  note?: string;
}

export interface PersistResult {
  /** What save/serialize produced (known even when IndexedDB then refuses it). */
  bytes: number;
  serializeMs: number;
  /** NaN when the put failed. */
  idbPutMs: number;
  /** The IndexedDB put's error (Chromium refuses a value above its maximum record size). */
  putError?: string;
  /** navigator.storage.estimate() usage after the put minus before (what the origin's storage grew by). */
  storageDelta: number | null;
  note: string;
}

export interface SystemResult {
  id: SystemId;
  name: string;
  metric: string;
  efNote?: string;
  ok: boolean;
  /** Why the system has no (complete) rows: the exact error or limit. */
  error?: string;
  buildMs?: number;
  persisted?: PersistResult;
  /** Why there are no index bytes. */
  notPersisted?: string;
  sweep?: SweepPoint[];
  rows: ResultRow[];
}

/** One flat line per table row (every system's rows in order), for readers that want no nesting (bench/chart). */
export interface BenchRow {
  name: string;
  ef?: number;
  buildMs: number;
  msPerQuery: number;
  p50: number;
  p99: number;
  qps: number;
  recall: number;
  indexBytes: number | null;
}

export interface RetrieverBenchResult {
  /** The WebGPU adapter (navigator.gpu); vendor 'none' and the error as description when there is none. */
  adapter: GpuAdapterSummary;
  adapterError?: string;
  userAgent: string;
  hardwareConcurrency: number;
  data: BenchData;
  description: string;
  n: number;
  dim: number;
  queries: number;
  k: number;
  normalized: boolean;
  target: number;
  repeats: number;
  efList: number[];
  budgetS: number;
  hnswParams: { m: number; m0: number; efConstruction: number; defaultEfSearch: number };
  systems: SystemResult[];
  rows: BenchRow[];
  startedAt: string;
  durationMs: number;
}

export interface BenchOptions {
  data: BenchData;
  n: number;
  dim: number;
  queries: number;
  k: number;
  efList: number[];
  target: number;
  repeats: number;
  normalize: boolean;
  systems: SystemId[];
  budgetS: number;
  persist: boolean;
  progress: (line: string) => void;
}

const WARMUP = 5;


export async function benchRetriever(o: BenchOptions): Promise<RetrieverBenchResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  let device: GPUDevice | null = null;
  let adapter: GpuAdapterSummary | null = null;
  let adapterError: string | undefined;
  try {
    ({ device, adapter } = await acquireGpuDevice({ powerPreference: 'high-performance' }));
  } catch (err) {
    adapterError = describe(err);
  }
  o.progress(`data: ${o.data}, n = ${o.n}, dim = ${o.dim}, ${o.queries} queries${o.normalize ? ', unit-normalised' : ''}`);
  const v = await makeVectors({ data: o.data, n: o.n, dim: o.dim, queries: o.queries, normalize: o.normalize });
  const { n, dim, nq } = v;
  const k = o.k;
  o.progress(v.description);

  const pass = async (sys: BenchSystem) => {
    const times = new Float64Array(nq);
    const got = new Int32Array(nq * k).fill(-1);
    for (let q = 0; q < nq; q++) {
      const query = v.queries.subarray(q * dim, (q + 1) * dim);
      const t = performance.now();
      const r = await sys.search(query, k);
      times[q] = performance.now() - t;
      for (let j = 0; j < k && j < r.length; j++) got[q * k + j] = r[j]!;
    }
    return { times, ids: got };
  };
  const warmup = async (sys: BenchSystem) => {
    for (let q = 0; q < Math.min(WARMUP, nq); q++) await sys.search(v.queries.subarray(q * dim, (q + 1) * dim), k);
  };

  let truth: Int32Array | undefined;
  const results: SystemResult[] = [];
  // Exact CPU first: its ids are the ground truth. Left out of `systems` (a feasibility probe at a
  // size where it would take too long), recall is NaN.
  const order: SystemId[] = o.systems.includes('exact-cpu') ? ['exact-cpu', ...o.systems.filter((s) => s !== 'exact-cpu')] : o.systems;
  for (const id of order) {
    const sys = SYSTEM_FACTORIES[id](device);
    const res: SystemResult = { id, name: sys.name, metric: sys.metric, ok: false, rows: [], ...(sys.efNote ? { efNote: sys.efNote } : {}) };
    results.push(res);
    o.progress(`${sys.name}: building`);
    try {
      const t = performance.now();
      await sys.build({ vectors: v.vectors, n, dim, normalized: v.normalized, deadline: t + o.budgetS * 1000, progress: o.progress });
      res.buildMs = performance.now() - t;
      o.progress(`${sys.name}: built in ${(res.buildMs / 1000).toFixed(1)} s`);
      await warmup(sys);
      if (!sys.tunable) {
        const r = await pass(sys);
        if (id === 'exact-cpu') truth = r.ids;
        res.rows.push({ label: sys.name, recall: recall(r.ids, truth, nq, k), latency: stats([r.times]) });
        logRow(o, res.rows.at(-1)!);
        if (sys.searchBatch) {
          const tb = performance.now();
          const b = await sys.searchBatch(v.queries, k);
          const batchMs = performance.now() - tb;
          const per = batchMs / nq;
          res.rows.push({
            label: `${sys.name}, ${nq} queries in one batch`,
            recall: recall(Int32Array.from(b), truth, nq, k),
            batchMs,
            latency: { samples: 1, mean: per, p10: per, p50: per, p90: per, p99: per, max: per, p99Passes: [per] },
            note: 'one call for all queries; latency columns = batch time / queries',
          });
          logRow(o, res.rows.at(-1)!);
        }
      } else {
        res.sweep = [];
        let chosen: { ef: number; passes: Float64Array[]; recall: number } | undefined;
        let last: { ef: number; passes: Float64Array[]; recall: number } | undefined;
        for (const ef of o.efList) {
          sys.setEf!(ef);
          await warmup(sys);
          const r = await pass(sys);
          const rc = recall(r.ids, truth, nq, k);
          const s = stats([r.times]);
          res.sweep.push({ ef, recall: rc, p50: s.p50, p99: s.p99, mean: s.mean });
          o.progress(`  ${sys.name} ef=${ef}: recall@${k} ${rc.toFixed(4)}, p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms`);
          last = { ef, passes: [r.times], recall: rc };
          if (rc >= o.target || Number.isNaN(rc)) {
            chosen = last;
            break;
          }
        }
        const pick = chosen ?? last!;
        sys.setEf!(pick.ef);
        for (let rep = 1; rep < o.repeats; rep++) pick.passes.push((await pass(sys)).times);
        res.rows.push({
          label: `${sys.name}`,
          ef: pick.ef,
          recall: pick.recall,
          latency: stats(pick.passes),
          note: chosen ? `lowest ef of the sweep with recall@${k} ≥ ${o.target}` : `no ef of the sweep (up to ${pick.ef}) reached recall@${k} ${o.target}`,
        });
        logRow(o, res.rows.at(-1)!);
        if (sys.defaultEf !== undefined && sys.defaultEf !== pick.ef) {
          sys.setEf!(sys.defaultEf);
          await warmup(sys);
          const r = await pass(sys);
          res.rows.push({ label: `${sys.name} (shipped default)`, ef: sys.defaultEf, recall: recall(r.ids, truth, nq, k), latency: stats([r.times]), note: 'HNSW_DEFAULTS.efSearch' });
          logRow(o, res.rows.at(-1)!);
        }
      }
      res.ok = true;
      if (!o.persist) res.notPersisted = 'not measured (persist=0)';
      else if (sys.persist) {
        try {
          res.persisted = await persist(sys.persist.bind(sys), id);
        } catch (err) {
          res.notPersisted = `save/serialize failed: ${await explain(err)}`;
          o.progress(`${sys.name}: ${res.notPersisted}`);
        }
      }
      else res.notPersisted = sys.notPersistable ?? 'not persistable: the library has no save/serialize';
      if (res.persisted) {
        const p = res.persisted;
        o.progress(`${sys.name}: ${p.bytes.toLocaleString('en-US')} bytes serialized in ${(p.serializeMs / 1000).toFixed(1)} s; IndexedDB put ${p.putError ? `FAILED: ${p.putError}` : `${(p.idbPutMs / 1000).toFixed(1)} s`}`);
      }
    } catch (err) {
      res.error = describe(err);
      if (err instanceof BuildBudgetError) res.buildMs = err.elapsedMs;
      o.progress(`${sys.name}: FAILED: ${res.error}`);
      if (id === 'exact-cpu') throw err;
    } finally {
      try {
        sys.dispose();
      } catch {
        // a half-built index may not dispose; the next system goes on regardless
      }
    }
    // run.ts keeps these lines: if the tab dies later, the systems done so far still reach the JSON.
    console.info(`${PARTIAL_MARKER}${JSON.stringify(res)}`);
  }
  const rows: BenchRow[] = results.flatMap((s) =>
    s.rows.map((r) => ({
      name: r.label,
      ...(r.ef !== undefined ? { ef: r.ef } : {}),
      buildMs: s.buildMs ?? NaN,
      msPerQuery: r.latency.mean,
      p50: r.latency.p50,
      p99: r.latency.p99,
      qps: 1000 / r.latency.mean,
      recall: r.recall,
      indexBytes: s.persisted?.bytes ?? null,
    })),
  );
  return {
    adapter: adapter ?? { vendor: 'none', architecture: '', device: '', description: adapterError ?? '', features: [] },
    ...(adapterError ? { adapterError } : {}),
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    data: o.data,
    description: v.description,
    n,
    dim,
    queries: nq,
    k,
    normalized: v.normalized,
    target: o.target,
    repeats: o.repeats,
    efList: o.efList,
    budgetS: o.budgetS,
    hnswParams: { m: HNSW_DEFAULTS.m, m0: 2 * HNSW_DEFAULTS.m, efConstruction: HNSW_DEFAULTS.efConstruction, defaultEfSearch: HNSW_DEFAULTS.efSearch },
    systems: results,
    rows,
    startedAt,
    durationMs: performance.now() - started,
  };
}

function logRow(o: BenchOptions, r: ResultRow): void {
  o.progress(`${r.label}${r.ef !== undefined ? ` ef=${r.ef}` : ''}: p50 ${r.latency.p50.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms, recall@${o.k} ${r.recall.toFixed(4)}`);
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function recall(approx: Int32Array, truth: Int32Array | undefined, nq: number, k: number): number {
  if (!truth) return NaN;
  let hits = 0;
  for (let q = 0; q < nq; q++) {
    const want = new Set(truth.subarray(q * k, (q + 1) * k));
    for (const id of approx.subarray(q * k, (q + 1) * k)) if (want.has(id)) hits++;
  }
  return hits / (nq * k);
}

function stats(passes: Float64Array[]): LatencyStats {
  const all = Float64Array.from(passes.flatMap((p) => Array.from(p))).sort();
  const q = (s: Float64Array, p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return {
    samples: all.length,
    mean: all.reduce((a, b) => a + b, 0) / all.length,
    p10: q(all, 0.1),
    p50: q(all, 0.5),
    p90: q(all, 0.9),
    p99: q(all, 0.99),
    max: all[all.length - 1]!,
    p99Passes: passes.map((p) => q(Float64Array.from(p).sort(), 0.99)),
  };
}

const DB = 'retriever-bench';
const STORE = 'blobs';

async function persist(save: () => Promise<Persisted>, key: string): Promise<PersistResult> {
  const before = await usage();
  let t = performance.now();
  const { payload, note } = await save();
  const serializeMs = performance.now() - t;
  const bytes = typeof payload === 'string' ? new Blob([payload]).size : Array.isArray(payload) ? payload.reduce((s, c) => s + c.byteLength, 0) : payload.byteLength;
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const tx = (mode: IDBTransactionMode, op: (s: IDBObjectStore) => void) =>
    new Promise<void>((resolve, reject) => {
      const x = db.transaction(STORE, mode);
      op(x.objectStore(STORE));
      x.oncomplete = () => resolve();
      x.onerror = x.onabort = () => reject(x.error ?? new Error('IndexedDB transaction aborted'));
    });
  try {
    t = performance.now();
    try {
      // One record, as the libraries' own saves (and our knowledge base's index blob) write it.
      await tx('readwrite', (s) => s.put(payload, key));
    } catch (err) {
      return { bytes, serializeMs, idbPutMs: NaN, putError: describe(err), storageDelta: null, note };
    }
    const idbPutMs = performance.now() - t;
    const after = await usage();
    await tx('readwrite', (s) => s.delete(key));
    return { bytes, serializeMs, idbPutMs, storageDelta: before !== null && after !== null ? after - before : null, note };
  } finally {
    db.close();
  }
}

async function usage(): Promise<number | null> {
  try {
    return (await navigator.storage.estimate()).usage ?? null;
  } catch {
    return null;
  }
}

/**
 * The indexes of the retrieval bench behind one interface, each used through its own public API
 * with the same vectors (a flat Float32Array, ids 0…n−1) and, for the HNSW ones, the same graph
 * parameters as ours (HNSW_DEFAULTS: M = 16, M0 = 2M, efConstruction = 64).
 *
 *   exact-cpu  ExactIndex without a device (ipScoresRef + topKRef, plain JS): the ground truth;
 *   exact-gpu  ExactIndex on WebGPU (ipScores shader + core's runTopK);
 *   ours       HnswIndex (packages/retriever, hnswlib-wasm underneath, 'ip' space);
 *   hnswlib    hnswlib-wasm's HierarchicalNSW used directly ('ip' space, addPoints, setEfSearch,
 *              searchKnn), the same WASM module instance as ours;
 *   edgevec    EdgeVec (Rust → WASM with SIMD) HNSW, metric 'l2' on the unit vectors: its 'dot' (and
 *              'cosine', which maps to the same DotProduct) is inverted in 0.9.0's HNSW — the search
 *              keeps the smallest M::distance (src/hnsw/search.rs) and DotProduct::distance is +a·b
 *              (src/metric/dot.rs), so it returns the least similar vectors: recall@10 0.000 at
 *              every ef from 10 to 4096 on 2k unit low-rank vectors, measured here;
 *   voy        voy-search's Voy: a k-d tree (kiddo) on squared L2, exact — L2 only, 768-d fixed
 *              (shorter vectors are zero-padded by voy itself);
 *   mememo     mememo's HNSW (plain JS), distance 'cosine-normalized' = 1 − a·b: inner product
 *              without any normalisation, i.e. its cosine on unit vectors.
 * Each `search` returns the k ids, best first. Libraries are imported when their system is built,
 * so that one that cannot load fails its own row only.
 */
import { ExactIndex } from '../../packages/retriever/src/exact-index.js';
import { HNSW_DEFAULTS, HnswIndex } from '../../packages/retriever/src/hnsw-index.js';
import { loadHnswlib, serializeHnsw, type HierarchicalNSW, type HnswlibModule } from '../../packages/retriever/src/hnsw-wasm.js';
import type * as EdgeVecNs from 'edgevec';
import type { HNSW as MememoHnsw } from 'mememo';
import type * as VoyNs from 'voy-search/voy_search_bg.js';

export type SystemId = 'exact-cpu' | 'exact-gpu' | 'ours' | 'hnswlib' | 'edgevec' | 'voy' | 'mememo';
export const ALL_SYSTEMS: SystemId[] = ['exact-cpu', 'exact-gpu', 'ours', 'hnswlib', 'edgevec', 'voy', 'mememo'];

/** npm package behind each system (run.ts adds the installed versions). */
export const SYSTEM_PACKAGES: Record<SystemId, string> = {
  'exact-cpu': '@rag-web/retriever',
  'exact-gpu': '@rag-web/retriever',
  ours: '@rag-web/retriever',
  hnswlib: 'hnswlib-wasm',
  edgevec: 'edgevec',
  voy: 'voy-search',
  mememo: 'mememo',
};

export interface BuildInput {
  vectors: Float32Array;
  n: number;
  dim: number;
  /** Whether every vector and query has unit length (then L2 and cosine rank as the inner product does). */
  normalized: boolean;
  /** performance.now() after which the build gives up (BuildBudgetError). */
  deadline: number;
  progress: (line: string) => void;
}

/** What a system hands over for IndexedDB: exactly what its save/serialize API produces. */
export type Persisted = { payload: Uint8Array | Uint8Array[] | string; note: string };

export interface BenchSystem {
  id: SystemId;
  name: string;
  /** How the inner-product problem is posed to this library. */
  metric: string;
  /** Whether a search-time ef exists (the sweep runs over it). */
  tunable: boolean;
  /** ef the library uses when none is set (for the row of our shipped default). */
  defaultEf?: number;
  build(input: BuildInput): Promise<void>;
  setEf?(ef: number): void;
  /** Notes on how ef is applied, for the report. */
  efNote?: string;
  search(query: Float32Array, k: number): Promise<ArrayLike<number>> | ArrayLike<number>;
  /** Searches all queries in one call (exact GPU only). */
  searchBatch?(queries: Float32Array, k: number): Promise<ArrayLike<number>>;
  /** The index as its library serializes it; undefined = the library has no save/serialize. */
  persist?(): Promise<Persisted>;
  notPersistable?: string;
  dispose(): void;
}

export class BuildBudgetError extends Error {
  constructor(
    readonly done: number,
    readonly total: number,
    readonly elapsedMs: number,
  ) {
    const per = elapsedMs / Math.max(1, done);
    super(
      `build stopped at the time budget: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} vectors inserted in ${(elapsedMs / 1000).toFixed(0)} s ` +
        `(${per.toFixed(1)} ms per insert; at that rate the full build would take ≥ ${((per * total) / 60_000).toFixed(0)} min)`,
    );
    this.name = 'BuildBudgetError';
  }
}

const UNIT_ONLY = (lib: string, why: string) =>
  `${lib} needs unit vectors here (${why}): rerun with --normalize 1`;

const ids = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Inserts [0, n) in chunks through `insert`, yielding to the event loop and checking the deadline between chunks. */
async function chunked(input: BuildInput, label: string, chunk: number, insert: (from: number, to: number) => Promise<void> | void): Promise<void> {
  const t0 = performance.now();
  let lastReport = t0;
  for (let from = 0; from < input.n; from += chunk) {
    const to = Math.min(input.n, from + chunk);
    try {
      await insert(from, to);
    } catch (err) {
      throw new Error(`inserting ${from.toLocaleString('en-US')}…${(to - 1).toLocaleString('en-US')} (after ${((performance.now() - t0) / 1000).toFixed(0)} s) failed: ${await explain(err)}`, { cause: err });
    }
    const now = performance.now();
    if (now - lastReport > 20_000 || to === input.n) {
      input.progress(`  ${label}: ${to.toLocaleString('en-US')} / ${input.n.toLocaleString('en-US')} inserted, ${((now - t0) / 1000).toFixed(0)} s`);
      lastReport = now;
    }
    if (to < input.n && now > input.deadline) throw new BuildBudgetError(to, input.n, now - t0);
    await new Promise((r) => setTimeout(r, 0));
  }
}

/** The message of an exception from one of the WASM libraries: C++ (hnswlib's embind) or a Rust panic (voy). */
export async function explain(err: unknown): Promise<string> {
  // WebAssembly.Exception (what a C++ throw becomes in the browser) is missing from TypeScript's DOM lib.
  const WasmException = (WebAssembly as unknown as { Exception?: new (...args: never[]) => object }).Exception;
  if (WasmException && err instanceof WasmException) {
    const lib = (await loadHnswlib()) as HnswlibModule & { getExceptionMessage?: (e: unknown) => string[] };
    return `C++ exception ${lib.getExceptionMessage?.(err).join(': ') ?? String(err)}`;
  }
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return lastRustPanic ? `${text} (Rust panic: ${lastRustPanic})` : text;
}

export function exactCpu(): BenchSystem {
  let index: ExactIndex | undefined;
  return {
    id: 'exact-cpu',
    name: 'exact CPU (JS)',
    metric: 'inner product',
    tunable: false,
    build({ vectors, n, dim }) {
      index = new ExactIndex(dim);
      index.add(ids(n), vectors);
      return Promise.resolve();
    },
    search: async (q, k) => (await index!.search(q, k)).ids,
    notPersistable: 'nothing beyond the embeddings: rebuilt from the passage store on open',
    dispose: () => index?.dispose(),
  };
}

export function exactGpu(device: GPUDevice | null): BenchSystem {
  let index: ExactIndex | undefined;
  return {
    id: 'exact-gpu',
    name: 'exact GPU (WebGPU)',
    metric: 'inner product',
    tunable: false,
    async build({ vectors, n, dim }) {
      if (!device) throw new Error('no WebGPU device in this page');
      index = new ExactIndex(dim, device);
      index.add(ids(n), vectors);
      await index.search(vectors.subarray(0, dim), 1); // corpus upload + pipeline compile
    },
    search: async (q, k) => (await index!.search(q, k)).ids,
    searchBatch: async (q, k) => (await index!.search(q, k)).ids,
    notPersistable: 'nothing beyond the embeddings: uploaded from the passage store on open',
    dispose: () => index?.dispose(),
  };
}

export function ours(): BenchSystem {
  let index: HnswIndex | undefined;
  return {
    id: 'ours',
    name: 'ours: HnswIndex',
    metric: "inner product (hnswlib 'ip')",
    tunable: true,
    defaultEf: HNSW_DEFAULTS.efSearch,
    async build(input) {
      try {
        index = await HnswIndex.create(input.dim, {}, input.n);
      } catch (err) {
        throw new Error(`HnswIndex.create(${input.dim}, {}, ${input.n.toLocaleString('en-US')}) failed: ${await explain(err)}`, { cause: err });
      }
      const all = ids(input.n);
      await chunked(input, 'ours', 5_000, (from, to) => index!.add(all.slice(from, to), input.vectors.subarray(from * input.dim, to * input.dim)));
    },
    setEf: (ef) => (index!.efSearch = ef),
    search: async (q, k) => (await index!.search(q, k)).ids,
    async persist() {
      return { payload: await index!.serialize(), note: 'HnswIndex.serialize(): the hnswlib graph file the knowledge base stores under index:<generation>; it holds the vectors too' };
    },
    dispose: () => index?.dispose(),
  };
}

export function rawHnswlib(): BenchSystem {
  let lib: HnswlibModule | undefined;
  let graph: HierarchicalNSW | undefined;
  return {
    id: 'hnswlib',
    name: 'hnswlib-wasm (raw API)',
    metric: "inner product ('ip' space)",
    tunable: true,
    async build(input) {
      lib = await loadHnswlib();
      graph = new lib.HierarchicalNSW('ip', input.dim, '');
      try {
        graph.initIndex(input.n, HNSW_DEFAULTS.m, HNSW_DEFAULTS.efConstruction, HNSW_DEFAULTS.randomSeed);
      } catch (err) {
        throw new Error(`initIndex(${input.n.toLocaleString('en-US')}, …) failed: ${await explain(err)}`, { cause: err });
      }
      const d = input.dim;
      await chunked(input, 'hnswlib', 5_000, (from, to) => {
        const items = Array.from({ length: to - from }, (_, i) => input.vectors.subarray((from + i) * d, (from + i + 1) * d));
        graph!.addPoints(items, ids(to - from).map((i) => from + i), false);
      });
    },
    setEf: (ef) => graph!.setEfSearch(ef),
    search: (q, k) => graph!.searchKnn(q, k, undefined).neighbors,
    async persist() {
      return { payload: await serializeHnsw(lib!, graph!), note: 'writeIndex() into its IDBFS (IndexedDB) file system' };
    },
    dispose: () => (graph as unknown as { delete?: () => void } | undefined)?.delete?.(),
  };
}

type EdgeVecModule = typeof EdgeVecNs;
type EdgeVecDb = InstanceType<EdgeVecModule['EdgeVec']>;
let edgevecModule: Promise<EdgeVecModule> | undefined;

export function edgevec(): BenchSystem {
  let db: EdgeVecDb | undefined;
  let ef = 10;
  let label = new Int32Array(0);
  return {
    id: 'edgevec',
    name: 'edgevec (HNSW)',
    metric: "squared L2 (metric 'l2') on the unit vectors = inner-product ranking; its 'dot'/'cosine' rank by ascending a·b in 0.9.0 (recall 0.000 measured)",
    tunable: true,
    efNote: 'edgevec fixes ef_search when the index is created and does not persist it; search(q, k) searches layer 0 with max(k, ef_search), so ef is applied as search(q, max(ef, 10)) keeping the first 10',
    async build(input) {
      if (!input.normalized) throw new Error(UNIT_ONLY('edgevec', "its 'dot'/'cosine' HNSW search is inverted in 0.9.0; 'l2' ranks as the inner product only on unit vectors, and this bench does not implement a d+1 MIPS→L2 augmentation"));
      const ev = await (edgevecModule ??= import('edgevec').then(async (m) => (await m.default(), m)));
      const config = new ev.EdgeVecConfig(input.dim);
      config.metric = 'l2';
      config.m = HNSW_DEFAULTS.m;
      config.m0 = 2 * HNSW_DEFAULTS.m;
      config.ef_construction = HNSW_DEFAULTS.efConstruction;
      config.ef_search = 10;
      db = new ev.EdgeVec(config);
      label = new Int32Array(input.n + 1).fill(-1);
      const d = input.dim;
      await chunked(input, 'edgevec', 5_000, (from, to) => {
        const got = db!.insertBatchFlat(input.vectors.subarray(from * d, to * d), to - from);
        got.forEach((id, i) => {
          if (id >= label.length) {
            const grown = new Int32Array(Math.max(id + 1, 2 * label.length)).fill(-1);
            grown.set(label);
            label = grown;
          }
          label[id] = from + i;
        });
      });
    },
    setEf: (e) => (ef = e),
    search(q, k) {
      const hits = db!.search(q, Math.max(k, ef)) as Array<{ id: number; score: number }>;
      const out = new Int32Array(k).fill(-1);
      for (let j = 0; j < k && j < hits.length; j++) out[j] = label[hits[j]!.id] ?? -1;
      return out;
    },
    async persist() {
      const it = db!.save_stream(16 << 20);
      const chunks: Uint8Array[] = [];
      for (let c = it.next_chunk(); c; c = it.next_chunk()) chunks.push(c);
      it.free();
      return { payload: chunks, note: 'save_stream(): the bytes its save(name) writes to IndexedDB' };
    },
    dispose: () => db?.free(),
  };
}

type VoyGlue = typeof VoyNs;
let voyModule: Promise<VoyGlue> | undefined;
/** voy's panic hook writes the panic message with console.error, then the WASM traps ('unreachable'): keep the message for the error. */
let lastRustPanic: string | undefined;

/** voy-search is built for bundlers (`import * as wasm from './voy_search_bg.wasm'`), which Vite does not do: instantiate the WASM with its glue as the import object, as a WASM bundler plugin would. */
function loadVoy(): Promise<VoyGlue> {
  return (voyModule ??= (async () => {
    const error = console.error.bind(console);
    console.error = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].startsWith('panicked at')) lastRustPanic = args[0].split('\n')[0];
      error(...args);
    };
    const glue = await import('voy-search/voy_search_bg.js');
    const { default: url } = await import('voy-search/voy_search_bg.wasm?url');
    const { instance } = await WebAssembly.instantiate(await (await fetch(url)).arrayBuffer(), { './voy_search_bg.js': glue as unknown as WebAssembly.ModuleImports });
    glue.__wbg_set_wasm(instance.exports);
    return glue;
  })());
}

export function voy(): BenchSystem {
  let index: InstanceType<VoyGlue['Voy']> | undefined;
  let count = 0;
  return {
    id: 'voy',
    name: 'voy-search (k-d tree)',
    metric: 'squared L2 (its only metric; = inner-product ranking on the unit vectors)',
    tunable: false,
    async build(input) {
      if (!input.normalized) throw new Error(UNIT_ONLY('voy-search', 'squared L2 is its only metric, and its fixed 768 dimensions leave no room for a d+1 MIPS→L2 augmentation of 768-d vectors'));
      const glue = await loadVoy();
      index = new glue.Voy(undefined);
      count = input.n;
      const d = input.dim;
      // Voy takes resources as plain objects with number[] embeddings (it JSON-stringifies them into the WASM).
      await chunked(input, 'voy', 2_000, (from, to) => {
        const embeddings = Array.from({ length: to - from }, (_, i) => ({
          id: String(from + i),
          title: '',
          url: '',
          embeddings: Array.from(input.vectors.subarray((from + i) * d, (from + i + 1) * d)),
        }));
        index!.add({ embeddings });
      });
    },
    search: (q, k) => Int32Array.from(index!.search(q, k).neighbors, (nb) => Number(nb.id)),
    async persist() {
      const payload = index!.serialize();
      if (payload === '') {
        // Seen at 50k × 768: the glue decodes Rust's JSON into a JS string, and past V8's maximum
        // string length (2^29 − 24 characters) that comes back empty.
        throw new Error(
          `serialize() returned an empty string for ${count.toLocaleString('en-US')} vectors: its JSON (about 12 kB per 768-d vector, 122 MB at 10k) is longer than V8's maximum string length (2^29 − 24 ≈ 537 M characters)`,
        );
      }
      return { payload, note: 'serialize(): a JSON string (the k-d tree with every vector)' };
    },
    dispose: () => index?.free(),
  };
}

export function mememo(): BenchSystem {
  let index: MememoHnsw | undefined;
  let ef = HNSW_DEFAULTS.efConstruction;
  return {
    id: 'mememo',
    name: 'mememo (HNSW, JS)',
    metric: "inner product (distance 'cosine-normalized' = 1 − a·b)",
    tunable: true,
    async build(input) {
      const { HNSW } = await import('mememo');
      // In memory: with useIndexedDB (its default) every insert is also a Dexie write.
      index = new HNSW({ distanceFunction: 'cosine-normalized', m: HNSW_DEFAULTS.m, efConstruction: HNSW_DEFAULTS.efConstruction, seed: HNSW_DEFAULTS.randomSeed, useIndexedDB: false });
      const d = input.dim;
      // insert() one at a time: bulkInsert checks every new key against an array of all keys (quadratic).
      await chunked(input, 'mememo', 500, async (from, to) => {
        for (let i = from; i < to; i++) await index!.insert(String(i), Array.from(input.vectors.subarray(i * d, (i + 1) * d)));
      });
    },
    setEf: (e) => (ef = e),
    search: async (q, k) => Int32Array.from((await index!.query(Array.from(q), k, ef)).keys, Number),
    persist: async () => ({
      payload: JSON.stringify(index!.exportIndex()),
      note: 'exportIndex() as JSON: the graph only; the embeddings go separately into its Dexie table (useIndexedDB) or must be re-inserted',
    }),
    dispose: () => void index?.clear(),
  };
}

export const SYSTEM_FACTORIES: Record<SystemId, (device: GPUDevice | null) => BenchSystem> = {
  'exact-cpu': exactCpu,
  'exact-gpu': exactGpu,
  ours,
  hnswlib: rawHnswlib,
  edgevec,
  voy,
  mememo,
};

import type { HierarchicalNSW, HnswlibModule } from 'hnswlib-wasm/dist/hnswlib.js';
import { HnswUnavailableError } from './errors.js';

/**
 * Loading hnswlib-wasm 0.8.2 anywhere, and moving serialized graphs in and out of it.
 *
 * The package is built for the web only: its Emscripten glue throws unless `window` or
 * `importScripts` exists, and its only file system is IDBFS (Emscripten's in-memory FS mirrored
 * to the IndexedDB database `/hnswlib-index`, store `FILE_DATA`). Everything else it needs (the
 * WASM is inlined as a data: URL, `fetch`, `atob`) exists in Node ≥ 20 and in module workers. So:
 * - while the glue initialises, `window` is aliased to `globalThis` if neither global exists
 *   (Node, module workers), and removed again;
 * - where no IndexedDB exists (Node), fake-indexeddb's in-memory implementation is installed on
 *   `globalThis` for IDBFS to use.
 * `writeIndex`/`readIndex` only see Emscripten's FS, which the package does not export; bytes go
 * through the IDBFS database instead: write → `syncFS(false)` → read the record, and
 * put the record → `syncFS(true)` → `readIndex`. One scratch file per page, and one such
 * operation at a time (a promise chain), so concurrent saves cannot interleave. The scratch
 * record is deleted afterwards so that the graph is not kept twice: the knowledge base stores
 * the bytes itself, under its own manifest.
 */

const IDBFS_DB = '/hnswlib-index';
const IDBFS_STORE = 'FILE_DATA';
const SCRATCH = `rag-web-${Math.random().toString(36).slice(2)}.hnsw`;
/** Emscripten's mode bits of a regular rw file (0o100666). */
const FILE_MODE = 33206;

/** Whether the realm had an IndexedDB before this module could install fake-indexeddb for IDBFS. */
export const hadIndexedDb = typeof indexedDB !== 'undefined';

let modulePromise: Promise<HnswlibModule> | undefined;
let fsChain: Promise<unknown> = Promise.resolve();

export type { HierarchicalNSW, HnswlibModule };

/** The hnswlib-wasm module, loaded once per realm. Throws HnswUnavailableError when it cannot load. */
export function loadHnswlib(): Promise<HnswlibModule> {
  modulePromise ??= loadOnce().catch((err: unknown) => {
    modulePromise = undefined;
    throw new HnswUnavailableError(`hnswlib-wasm could not be loaded here: ${(err as Error)?.message ?? String(err)}`, {
      cause: String(err),
    });
  });
  return modulePromise;
}

async function loadOnce(): Promise<HnswlibModule> {
  const g = globalThis as Record<string, unknown>;
  if (typeof indexedDB === 'undefined') {
    // Node: give IDBFS an IndexedDB. A variable specifier keeps bundlers from shipping it to browsers.
    const specifier = 'fake-indexeddb';
    const fake = (await import(/* @vite-ignore */ specifier)) as { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange };
    g.indexedDB = fake.indexedDB;
    g.IDBKeyRange ??= fake.IDBKeyRange;
  }
  silenceEmscriptenFsLogs();
  const aliasWindow = typeof g.window !== 'object' && typeof g.importScripts !== 'function';
  if (aliasWindow) g.window = globalThis;
  try {
    // The package declares only a `module` field (no `main`/`exports`): Node needs the file path.
    const { loadHnswlib: load } = await import('hnswlib-wasm/dist/hnswlib.js');
    const lib = await load();
    // Create the IDBFS database now, so that later raw opens never race its version upgrade.
    await syncFs(lib, false);
    return lib;
  } finally {
    if (aliasWindow) delete g.window;
  }
}

/** hnswlib's own graph file (the format of `hnswlib`'s saveIndex) of `index`. */
export function serializeHnsw(lib: HnswlibModule, index: HierarchicalNSW): Promise<Uint8Array> {
  return exclusive(async () => {
    // The typings say Promise; 0.8.2 writes synchronously, returns undefined and starts an IDBFS
    // sync of its own. Overlapping syncs race (one's stale file list deletes the other's
    // records), so every step waits for the previous sync to settle.
    await index.writeIndex(SCRATCH);
    await settled(lib);
    await syncFs(lib, false);
    const record = await idbfsRequest<{ contents?: ArrayBufferView } | undefined>('readonly', (s) => s.get(scratchPath()));
    if (!record?.contents) throw new HnswUnavailableError('hnswlib-wasm wrote no index file to IDBFS.');
    const c = record.contents;
    const bytes = new Uint8Array(c.byteLength);
    bytes.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
    await removeScratch(lib);
    return bytes;
  });
}

/** A graph read back from `bytes`, with room for `maxElements` points. */
export function deserializeHnsw(lib: HnswlibModule, bytes: Uint8Array, dimension: number, maxElements: number): Promise<HierarchicalNSW> {
  return exclusive(async () => {
    await idbfsRequest('readwrite', (s) => s.put({ timestamp: new Date(), mode: FILE_MODE, contents: bytes }, scratchPath()));
    await syncFs(lib, true);
    const index = new lib.HierarchicalNSW('ip', dimension, '');
    try {
      await index.readIndex(SCRATCH, maxElements);
    } finally {
      await removeScratch(lib);
    }
    return index;
  });
}

function scratchPath(): string {
  return `${IDBFS_DB}/${SCRATCH}`;
}

async function removeScratch(lib: HnswlibModule): Promise<void> {
  await idbfsRequest('readwrite', (s) => s.delete(scratchPath()));
  // Mirror the deletion into Emscripten's FS so the in-memory copy is freed too.
  await syncFs(lib, true);
}

function exclusive<T>(task: () => Promise<T>): Promise<T> {
  const run = fsChain.then(task, task);
  fsChain = run.catch(() => undefined);
  return run;
}

async function syncFs(lib: HnswlibModule, populateFromIdb: boolean): Promise<void> {
  await settled(lib);
  await new Promise<void>((resolve, reject) => {
    try {
      void lib.EmscriptenFileSystemManager.syncFS(populateFromIdb, () => resolve());
    } catch (err) {
      reject(err);
    }
  });
  await settled(lib);
}

/** Resolves once no IDBFS sync is in flight (the glue clears its flag when one starts, sets it when done). */
async function settled(lib: HnswlibModule): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!lib.EmscriptenFileSystemManager.isSynced()) {
    if (Date.now() > deadline) throw new HnswUnavailableError('hnswlib-wasm: an IDBFS sync did not finish within 120 s.');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** One request on the IDBFS store through a short-lived connection of our own. */
function idbfsRequest<T>(mode: IDBTransactionMode, op: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(IDBFS_DB);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(IDBFS_STORE, mode);
      const req = op(tx.objectStore(IDBFS_STORE));
      tx.oncomplete = () => {
        db.close();
        resolve(req.result as T);
      };
      tx.onerror = tx.onabort = () => {
        db.close();
        reject(tx.error ?? req.error);
      };
    };
  });
}

/**
 * The glue chatters on the console on every IDBFS mount and sync (and warns when the sync that
 * `writeIndex` starts by itself overlaps ours, which is harmless). Drop exactly those lines;
 * installed once, before the glue binds `console.log`/`console.warn`; everything else passes.
 */
const GLUE_CHATTER = [/^b\. jsFS synced/, /^EmscriptenFileSystemManager: Mounting IDBFS/, /^d\. Calling sync callback/, /FS\.syncfs operations in flight/];
let logFilterInstalled = false;
function silenceEmscriptenFsLogs(): void {
  if (logFilterInstalled) return;
  logFilterInstalled = true;
  const con = console as unknown as Record<'log' | 'warn', (...args: unknown[]) => void>;
  for (const method of ['log', 'warn'] as const) {
    const original = con[method].bind(console);
    con[method] = (...args: unknown[]) => {
      const first = args[0];
      if (typeof first === 'string' && GLUE_CHATTER.some((re) => re.test(first))) return;
      original(...args);
    };
  }
}

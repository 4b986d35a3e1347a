import { RagConfigError, assertFiniteEmbeddings, checkModelId, type StoredPassage } from '@rag-web/core';
import { localFolder } from '#kb-files';
import { EMPTY_CHECKSUM, checksumOf, passageChecksum, xorChecksums } from './checksum.js';
import { KnowledgeBaseCorruptError, KnowledgeBaseFetchError, KnowledgeBaseNameTakenError } from './errors.js';
import { HnswIndex } from './hnsw-index.js';
import { hadIndexedDb } from './hnsw-wasm.js';
import { KnowledgeBase, type KnowledgeBaseOptions } from './knowledge-base.js';
import { checkDimension, parseManifest, type KnowledgeBaseManifest, type ShippedPassages } from './manifest.js';
import { readNpy, writeNpy } from './npy.js';
import { PassageStore } from './passage-store.js';
import { IdbBackend, MemoryBackend, type StoreBackend } from './store-backend.js';

/**
 * The knowledge-base folder: what Node tooling writes and a browser loads as-is from a URL.
 *   manifest.json    the manifest (manifest.ts) plus `files`; its checksum covers every passage
 *   passages.jsonl   one `{ "id", "title", "text" }` per live passage, ascending id (without
 *                    removals, line number = id, as in HF passages files)
 *   embeddings.npy   float32 (passages × dimension), rows in passages.jsonl order
 *   index.hnsw       hnswlib's graph file (labels = doc ids), when the knowledge base has one
 * No Node API is used here: callers write the bytes (`fs.writeFile`); a folder path is read by
 * the Node-only `#kb-files` module (package.json "imports"), a URL with `fetch`.
 */
export const KB_FILES = { manifest: 'manifest.json', passages: 'passages.jsonl', embeddings: 'embeddings.npy', index: 'index.hnsw' } as const;

export interface KnowledgeBaseFolderManifest extends KnowledgeBaseManifest {
  files: { passages: string; embeddings: string; index: string | null };
}

/** Reads one file of a folder by name. */
export type FileSource = (name: string) => Promise<Uint8Array>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The folder's files by name, in memory. */
export async function exportKnowledgeBase(kb: KnowledgeBase): Promise<Map<string, Uint8Array>> {
  const d = kb.dimension;
  const lines: string[] = [];
  const vectors = new Float32Array(kb.size * d);
  for await (const batch of kb.store.passages()) {
    for (const p of batch) {
      vectors.set(p.embedding, lines.length * d);
      lines.push(JSON.stringify({ id: p.id, title: p.title, text: p.text }));
    }
  }
  const files = new Map<string, Uint8Array>();
  files.set(KB_FILES.passages, encoder.encode(lines.map((l) => `${l}\n`).join('')));
  files.set(KB_FILES.embeddings, writeNpy({ rows: lines.length, cols: d, data: vectors }));
  const m = kb.manifest;
  let index: KnowledgeBaseFolderManifest['index'] = null;
  if (kb.index instanceof HnswIndex) {
    const bytes = await kb.index.serialize();
    files.set(KB_FILES.index, bytes);
    index = { kind: 'hnsw', name: KB_FILES.index, byteLength: bytes.byteLength, checksum: checksumOf([bytes]), params: { ...kb.index.params, efSearch: kb.index.efSearch }, count: kb.index.size };
  }
  const manifest: KnowledgeBaseFolderManifest = {
    ...m,
    index,
    files: { passages: KB_FILES.passages, embeddings: KB_FILES.embeddings, index: index ? KB_FILES.index : null },
  };
  // Which passages a store loaded from a folder is its own business, not the new folder's.
  delete manifest.shipped;
  files.set(KB_FILES.manifest, encoder.encode(`${JSON.stringify(manifest, null, 2)}\n`));
  return files;
}

/** `loadKnowledgeBase`'s options: a knowledge base's, plus where the copy is kept. */
export interface LoadKnowledgeBaseOptions extends KnowledgeBaseOptions {
  signal?: AbortSignal;
  /**
   * Where no `backend` is given: keep the copy in IndexedDB under `name` (default where IndexedDB
   * exists, i.e. browsers), or `false` in memory only (downloaded again by every load). `name`
   * defaults to the folder's URL (in Node, its absolute path); a FileSource has none, so it stays
   * in memory unless given a `name`.
   */
  persist?: boolean;
}

/**
 * Opens a knowledge-base folder: a URL (fetched; relative names resolved against it), in Node a
 * folder path or `file:` URL (read from disk), or any FileSource. Kept in IndexedDB by default in
 * browsers (see `persist`), where a later load reads only manifest.json when the folder is
 * unchanged, and updates the stored copy when it changed: the folder's passages replace the
 * previously loaded ones (under new ids, after every stored one), passages added since with
 * `ingest` are kept. Every file is checked against the manifest (sizes, ids, checksums) before
 * anything is stored, and the swap is one commit: an interrupted load leaves the previous copy.
 * When manifest.json cannot be fetched (offline), a stored copy is opened as it is.
 */
export async function loadKnowledgeBase(source: string | URL | FileSource, options: LoadKnowledgeBaseOptions = {}): Promise<KnowledgeBase> {
  const { read, name, where } = resolveSource(source, options.signal);
  const backend = options.backend ?? defaultBackend(options.name ?? name, options.persist);
  let manifestBytes: Uint8Array;
  try {
    manifestBytes = await read(KB_FILES.manifest);
  } catch (err) {
    // Offline (or the folder moved): the stored copy, as it is.
    if (err instanceof KnowledgeBaseFetchError && (await backend.get<KnowledgeBaseManifest>('manifest'))?.generation) return KnowledgeBase.open({ ...options, backend });
    throw err;
  }
  const folder = parseFolderManifest(parseJson(decoder.decode(manifestBytes), KB_FILES.manifest));
  checkDimension(folder, options.dimension, `loading the knowledge base at ${where}`);
  // One writer: a second tab loading the same folder waits, then finds it stored.
  await backend.exclusive(() => syncFolder(backend, folder, read, where, options.signal));
  // A graph rebuilt after an update keeps the folder's parameters (efSearch above all).
  const hnsw = { ...folder.index?.params, ...options.hnsw };
  return KnowledgeBase.open({ ...options, backend, dimension: folder.dimension, hnsw });
}

function defaultBackend(name: string | undefined, persist: boolean | undefined): StoreBackend {
  if (persist === true && !hadIndexedDb) throw new RagConfigError('loadKnowledgeBase: persist: true needs IndexedDB, which this environment lacks; give a `backend`.');
  // Not `typeof indexedDB`: in Node the HNSW loader may have installed an in-memory one for IDBFS.
  if (persist !== false && hadIndexedDb && name !== undefined) return new IdbBackend(name);
  if (persist === true) throw new RagConfigError('loadKnowledgeBase: a FileSource has no default name; give `name` to keep it in IndexedDB.');
  return new MemoryBackend(name ?? 'loaded');
}

/**
 * Brings the store to the folder's version, as its one writer. Unchanged: nothing to do. Else
 * the folder's passages are written after every stored id (invisible until the commit), and one
 * commit makes them live, deletes the previously loaded ones and records the new `shipped` range.
 */
async function syncFolder(backend: StoreBackend, folder: KnowledgeBaseFolderManifest, read: FileSource, where: string, signal: AbortSignal | undefined): Promise<void> {
  const store = await PassageStore.open(backend, { dimension: folder.dimension, modelId: folder.modelId });
  const stored = store.manifest;
  const shipped = stored.shipped ?? (await adoptUnmarked(store, folder, where));
  if (shipped?.checksum === folder.checksum) {
    if (!stored.shipped) await store.commit({ shipped });
    return;
  }

  const { passages, indexBytes } = await readFolder(folder, read);
  const offset = stored.nextId;
  const removed = shipped ? await store.getPassages(range(shipped.from, shipped.to).filter((id) => store.isLive(id))) : [];
  // Passages added with `ingest` stay: the folder's must come from an encoder they fit.
  const modelId = store.count > removed.length ? checkModelId(stored, folder.modelId, folder.encoderProbe && Float32Array.from(folder.encoderProbe)) : folder.modelId;
  let checksum = offset === 0 ? folder.checksum : EMPTY_CHECKSUM;
  const fingerprint = `folder:${folder.checksum}`;
  for (let i = 0; i < passages.length; i += 1024) {
    signal?.throwIfAborted();
    const batch = passages.slice(i, i + 1024).map((p) => ({ ...p, id: p.id + offset }));
    if (offset !== 0) for (const p of batch) checksum = xorChecksums(checksum, passageChecksum(p.id, p.title, p.text, p.embedding));
    await store.writeBatch(batch, { fingerprint, modelId, startId: offset, total: passages.length, done: i + batch.length, checksum }, i === 0);
  }
  signal?.throwIfAborted();
  await store.commit({
    nextId: offset + folder.nextId,
    deletedIds: folder.deletedIds.map((id) => id + offset),
    removed,
    addedChecksum: checksum,
    modelId,
    ...(folder.encoderProbe ? { encoderProbe: folder.encoderProbe } : {}),
    // The folder's graph labels are its ids: usable as-is only where they are the stored ids. Else
    // KnowledgeBase.open rebuilds it over every stored passage.
    index: offset === 0 && indexBytes && folder.index ? { bytes: indexBytes, params: folder.index.params, count: folder.index.count } : null,
    shipped: { checksum: folder.checksum, from: offset, to: offset + folder.nextId },
    clearCheckpoint: true,
  });
}

/**
 * A store that holds passages but no `shipped` record (written before it existed): the folder's
 * passages are ids `[0, folder.nextId)` if their checksum is the folder's; if not, the name is
 * another knowledge base's.
 */
async function adoptUnmarked(store: PassageStore, folder: KnowledgeBaseFolderManifest, where: string): Promise<ShippedPassages | undefined> {
  if (store.manifest.nextId === 0) return undefined;
  let checksum = EMPTY_CHECKSUM;
  if (store.manifest.nextId >= folder.nextId) {
    for await (const batch of store.passages()) {
      for (const p of batch) if (p.id < folder.nextId) checksum = xorChecksums(checksum, passageChecksum(p.id, p.title, p.text, p.embedding));
      if ((batch.at(-1)?.id ?? 0) >= folder.nextId) break;
    }
  }
  if (checksum !== folder.checksum) throw new KnowledgeBaseNameTakenError(store.name, where);
  return { checksum, from: 0, to: folder.nextId };
}

/** Every file of the folder, checked against its manifest; passages under the folder's ids. */
async function readFolder(manifest: KnowledgeBaseFolderManifest, read: FileSource): Promise<{ passages: StoredPassage[]; indexBytes: Uint8Array | null }> {
  const d = manifest.dimension;
  const [passageBytes, npyBytes, indexBytes] = await Promise.all([
    read(manifest.files.passages),
    read(manifest.files.embeddings),
    manifest.files.index ? read(manifest.files.index) : Promise.resolve(null),
  ]);
  const lines = decoder.decode(passageBytes).split('\n').filter((l) => l.length > 0);
  const { rows, cols, data } = readNpy(npyBytes, manifest.files.embeddings);
  if (cols !== d || rows !== lines.length || rows !== manifest.count) {
    throw new KnowledgeBaseCorruptError(`Folder files disagree: manifest says ${manifest.count} × ${d}, passages.jsonl has ${lines.length} lines, embeddings.npy is ${rows} × ${cols}.`);
  }
  assertFiniteEmbeddings(data, d, manifest.files.embeddings);
  const deleted = new Set(manifest.deletedIds);
  let checksum = EMPTY_CHECKSUM;
  let lastId = -1;
  const passages = lines.map((line, i) => {
    const r = parseJson(line, `${manifest.files.passages} line ${i + 1}`) as { id: number; title: string; text: string };
    if (!Number.isInteger(r.id) || r.id <= lastId || r.id >= manifest.nextId || deleted.has(r.id)) {
      throw new KnowledgeBaseCorruptError(`${manifest.files.passages} line ${i + 1}: id ${r.id} is out of order or not live.`, { line: i + 1 });
    }
    lastId = r.id;
    const embedding = data.slice(i * d, (i + 1) * d);
    checksum = xorChecksums(checksum, passageChecksum(r.id, r.title, r.text, embedding));
    return { id: r.id, title: r.title, text: r.text, embedding };
  });
  if (checksum !== manifest.checksum) throw new KnowledgeBaseCorruptError(`Folder checksum ${checksum} differs from the manifest's ${manifest.checksum}.`);
  if (indexBytes && manifest.index && (indexBytes.byteLength !== manifest.index.byteLength || checksumOf([indexBytes]) !== manifest.index.checksum)) {
    throw new KnowledgeBaseCorruptError(`${manifest.files.index} does not match its manifest entry.`);
  }
  return { passages, indexBytes };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new KnowledgeBaseCorruptError(`${what} is not valid JSON: ${(err as Error).message}`, { file: what });
  }
}

/**
 * A file of the folder: a plain name inside it. No separators, no "..", no scheme, so that a
 * manifest cannot make the CLI read outside its folder or the browser fetch outside its URL prefix.
 */
const FILE_NAME = /^(?!\.\.?$)[\w.-]+$/;

function parseFolderManifest(json: unknown): KnowledgeBaseFolderManifest {
  const m = parseManifest(json, KB_FILES.manifest) as KnowledgeBaseFolderManifest;
  const f = m.files as Partial<KnowledgeBaseFolderManifest['files']> | undefined;
  if (!f || typeof f.passages !== 'string' || typeof f.embeddings !== 'string' || !(f.index === null || typeof f.index === 'string')) {
    throw new KnowledgeBaseCorruptError(`${KB_FILES.manifest}: "files" must name passages, embeddings and index (or null)`);
  }
  for (const name of [f.passages, f.embeddings, f.index]) {
    if (name !== null && !FILE_NAME.test(name)) {
      throw new KnowledgeBaseCorruptError(`${KB_FILES.manifest}: file name ${JSON.stringify(name)} is not a plain name inside the folder (letters, digits, ".", "-", "_").`, { name });
    }
  }
  return m;
}

/** How to read the folder, its default store name, and how errors name it. */
function resolveSource(source: string | URL | FileSource, signal: AbortSignal | undefined): { read: FileSource; name: string | undefined; where: string } {
  if (typeof source === 'function') return { read: source, name: undefined, where: 'the given FileSource' };
  const local = localFolder(source);
  if (local) return { ...local, where: local.name };
  const root = new URL(source, typeof location !== 'undefined' ? location.href : undefined);
  if (!root.pathname.endsWith('/')) root.pathname += '/';
  return { read: urlSource(root, signal), name: root.href, where: root.href };
}

function urlSource(root: URL, signal: AbortSignal | undefined): FileSource {
  return async (name) => {
    const url = new URL(name, root);
    if (url.origin !== root.origin || !url.pathname.startsWith(root.pathname)) {
      throw new KnowledgeBaseCorruptError(`${name} resolves to ${url.href}, outside the knowledge base at ${root.href}.`, { name });
    }
    let res: Response;
    try {
      res = await fetch(url, signal ? { signal } : undefined);
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new KnowledgeBaseFetchError(`Fetching ${name} from ${root.href} failed: ${(err as Error).message} (offline, or the server is unreachable).`, { name, url: url.href });
    }
    if (!res.ok) throw new KnowledgeBaseFetchError(`Fetching ${name} from ${root.href} failed: HTTP ${res.status}.`, { name, url: url.href, status: res.status });
    return new Uint8Array(await res.arrayBuffer());
  };
}

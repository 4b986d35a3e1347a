import { EMPTY_CHECKSUM, checksumOf, passageChecksum, xorChecksums } from './checksum.js';
import { KnowledgeBaseCorruptError, KnowledgeBaseFetchError } from './errors.js';
import { assertFiniteEmbeddings } from './finite-embeddings.js';
import { HnswIndex } from './hnsw-index.js';
import { KnowledgeBase, type KnowledgeBaseOptions } from './knowledge-base.js';
import { parseManifest, type KnowledgeBaseManifest } from './manifest.js';
import { readNpy, writeNpy } from './npy.js';
import { PassageStore } from './passage-store.js';
import { MemoryBackend } from './store-backend.js';

/**
 * The knowledge-base folder: what Node tooling writes and a browser loads as-is from a URL.
 *   manifest.json    the manifest (manifest.ts) plus `files`; its checksum covers every passage
 *   passages.jsonl   one `{ "id", "title", "text" }` per live passage, ascending id (without
 *                    removals, line number = id, as in HF passages files)
 *   embeddings.npy   float32 (passages × dimension), rows in passages.jsonl order
 *   index.hnsw       hnswlib's graph file (labels = doc ids), when the knowledge base has one
 * No Node API is used here: callers write the bytes (`fs.writeFile`) and read them back through
 * a `FileSource`, or give a URL for `fetch`.
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
  files.set(KB_FILES.manifest, encoder.encode(`${JSON.stringify(manifest, null, 2)}\n`));
  return files;
}

/**
 * Opens a knowledge-base folder, from a base URL (fetched; relative names resolved against it)
 * or any FileSource. Every file is checked against the manifest (sizes, ids, checksums) before
 * anything is stored. With a persistent `backend` that already holds this exact knowledge base
 * (same checksum and generation), only manifest.json is read: nothing is downloaded again.
 */
export async function loadKnowledgeBase(source: string | URL | FileSource, options: KnowledgeBaseOptions & { signal?: AbortSignal } = {}): Promise<KnowledgeBase> {
  const read = typeof source === 'function' ? source : urlSource(source, options.signal);
  const manifest = parseFolderManifest(parseJson(decoder.decode(await read(KB_FILES.manifest)), KB_FILES.manifest));
  const d = manifest.dimension;
  const backend = options.backend ?? new MemoryBackend(options.name ?? 'loaded');
  const kbOptions: KnowledgeBaseOptions = { ...options, backend, dimension: options.dimension ?? d };

  // One writer: a second tab seeding the same folder waits, then finds it stored.
  await backend.exclusive(async () => {
    const existing = await backend.get<KnowledgeBaseManifest>('manifest');
    if (existing && existing.checksum === manifest.checksum && existing.count === manifest.count) return;
    if (existing && existing.count > 0) {
      throw new KnowledgeBaseCorruptError(`Knowledge base "${backend.name}" already holds other passages; load the folder under a new name.`, {
        name: backend.name,
      });
    }

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

    const store = await PassageStore.open(backend, { dimension: d, modelId: manifest.modelId });
    const fingerprint = `folder:${manifest.checksum}`;
    for (let i = 0; i < passages.length; i += 1024) {
      options.signal?.throwIfAborted();
      const batch = passages.slice(i, i + 1024);
      await store.writeBatch(batch, { fingerprint, modelId: manifest.modelId, startId: 0, total: passages.length, done: i + batch.length, checksum }, i === 0);
    }
    await store.commit({
      nextId: manifest.nextId,
      deletedIds: manifest.deletedIds,
      addedChecksum: checksum,
      modelId: manifest.modelId,
      ...(manifest.encoderProbe ? { encoderProbe: manifest.encoderProbe } : {}),
      index: indexBytes && manifest.index ? { bytes: indexBytes, params: manifest.index.params, count: manifest.index.count } : null,
      clearCheckpoint: true,
    });
  });
  return KnowledgeBase.open(kbOptions);
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

function urlSource(base: string | URL, signal: AbortSignal | undefined): FileSource {
  const root = new URL(base, typeof location !== 'undefined' ? location.href : undefined);
  if (!root.pathname.endsWith('/')) root.pathname += '/';
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

import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { CountingEmbedder, passagesJsonl } from '../test/fakes.js';
import { KnowledgeBaseConflictError, KnowledgeBaseCorruptError, KnowledgeBaseFetchError, NonFiniteEmbeddingError } from './errors.js';
import { KB_FILES, exportKnowledgeBase, loadKnowledgeBase } from './kb-folder.js';
import { KnowledgeBase } from './knowledge-base.js';
import { readNpy, writeNpy } from './npy.js';
import { parsePassagesJson, parsePassagesJsonl } from './passage-input.js';
import { IdbBackend, MemoryBackend } from './store-backend.js';

// Faults and hostile input at the retriever's layer (issue 18): each case ends in a typed error,
// and what the knowledge base held before is still there, unchanged.

async function filledKb(name: string, n = 5, dimension = 4): Promise<KnowledgeBase> {
  const kb = await KnowledgeBase.open({ backend: new MemoryBackend(name), dimension, index: 'exact' });
  await kb.ingest({ jsonl: passagesJsonl(n) }, { embedder: new CountingEmbedder(dimension) });
  return kb;
}

/** A folder's files, with `edit` applied; and a reader that records the names it was asked for. */
async function folder(edit: (files: Map<string, Uint8Array>) => void) {
  const files = await exportKnowledgeBase(await filledKb('folder-src'));
  edit(files);
  const read: string[] = [];
  const source = async (name: string) => {
    read.push(name);
    const bytes = files.get(name);
    if (!bytes) throw new Error(`test reader: no file ${name}`);
    return bytes;
  };
  return { source, read };
}

const text = (s: string) => new TextEncoder().encode(s);
const editManifest = (files: Map<string, Uint8Array>, f: (m: Record<string, unknown>) => void) => {
  const m = JSON.parse(new TextDecoder().decode(files.get(KB_FILES.manifest))) as Record<string, unknown>;
  f(m);
  files.set(KB_FILES.manifest, text(JSON.stringify(m)));
};

describe('non-finite embeddings', () => {
  it.each([NaN, Infinity, -Infinity])('a given embedding holding %s is refused with the passage number; nothing is stored', async (bad) => {
    const kb = await filledKb('nan-given');
    const before = kb.manifest.checksum;
    const embedding = Float32Array.from([0.1, 0.2, bad, 0.4]);
    const err = await kb
      .ingest({ passages: [{ title: 'ok', text: 'fine', embedding: Float32Array.from([1, 2, 3, 4]) }, { title: 'bad', text: 'garbage', embedding }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteEmbeddingError);
    expect(err).toMatchObject({ passage: 2, details: { passage: 2 } });
    expect(String(err)).toContain(`holds ${bad}`);
    expect(kb.size).toBe(5);
    expect(kb.manifest.checksum).toBe(before);
  });

  it('an embedder that returns NaN (an overflowing encoder) stores nothing', async () => {
    const kb = await filledKb('nan-embedder');
    const broken = new CountingEmbedder(4);
    const embed = broken.embed.bind(broken);
    broken.embed = async (p, o) => (await embed(p, o)).map((v, i) => (i === 5 ? NaN : v));
    await expect(kb.ingest({ jsonl: passagesJsonl(3, 100) }, { embedder: broken })).rejects.toThrow(NonFiniteEmbeddingError);
    expect(kb.size).toBe(5);
    expect(await kb.verify()).toEqual({ ok: true, problems: [] });
  });

  it('a folder whose embeddings.npy holds NaN is refused before anything is stored', async () => {
    const { source } = await folder((files) => {
      const npy = readNpy(files.get(KB_FILES.embeddings)!);
      npy.data[7] = NaN;
      files.set(KB_FILES.embeddings, writeNpy(npy));
    });
    const backend = new MemoryBackend('nan-folder');
    await expect(loadKnowledgeBase(source, { backend })).rejects.toThrow(NonFiniteEmbeddingError);
    expect(await backend.get('manifest')).toBeUndefined();
  });
});

describe('folder manifests', () => {
  it.each(['../passages.jsonl', '/etc/passwd', 'sub/passages.jsonl', 'https://evil.example/p.jsonl', '..', 'a\\b'])(
    'a file name %j outside the folder is refused before any file is read',
    async (name) => {
      const { source, read } = await folder((files) => editManifest(files, (m) => ((m.files as Record<string, string>).passages = name)));
      const err = await loadKnowledgeBase(source, { backend: new MemoryBackend('escape') }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KnowledgeBaseCorruptError);
      expect(String(err)).toContain('is not a plain name inside the folder');
      expect(read).toEqual([KB_FILES.manifest]);
    },
  );

  it('a manifest that is not JSON, and a passages line that is not JSON, name the file (and the line)', async () => {
    const bad = await folder((files) => files.set(KB_FILES.manifest, text('{"version": 1,')));
    const err1 = await loadKnowledgeBase(bad.source, { backend: new MemoryBackend('json1') }).catch((e: unknown) => e);
    expect(err1).toBeInstanceOf(KnowledgeBaseCorruptError);
    expect(err1).toMatchObject({ message: `${KB_FILES.manifest} is not valid JSON: ${jsonError('{"version": 1,')}`, details: { file: KB_FILES.manifest } });
    const line = await folder((files) => {
      const lines = new TextDecoder().decode(files.get(KB_FILES.passages)).split('\n');
      lines[2] = '{"id": 2, "title": oops';
      files.set(KB_FILES.passages, text(lines.join('\n')));
    });
    const err = await loadKnowledgeBase(line.source, { backend: new MemoryBackend('json2') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KnowledgeBaseCorruptError);
    expect(String(err)).toMatch(/passages\.jsonl line 3 is not valid JSON/);
  });

  it('an unreachable server is a KnowledgeBaseFetchError, not a raw TypeError', async () => {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    const err = await loadKnowledgeBase('http://127.0.0.1:9/kb/', { backend: new MemoryBackend('offline') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KnowledgeBaseFetchError);
    expect(String(err)).toContain('Fetching manifest.json from http://127.0.0.1:9/kb/ failed');
  });
});

describe('passages files', () => {
  it('a UTF-8 byte-order mark at the start of JSONL or JSON is accepted (editors write one)', () => {
    expect(parsePassagesJsonl('\uFEFF{"title": "a", "text": "b"}\n')).toEqual([{ title: 'a', text: 'b' }]);
    expect(parsePassagesJson('\uFEFF[{"title": "a", "text": "b"}]')).toEqual([{ title: 'a', text: 'b' }]);
  });
});

function jsonError(s: string): string {
  try {
    JSON.parse(s);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('valid JSON');
}

/** A tab of a browser without the Web Locks API: nothing makes its writes wait for another tab's. */
class UnlockedIdbBackend extends IdbBackend {
  override exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }
}

describe('two tabs writing one knowledge base', () => {
  const open = (name: string, backend = new IdbBackend(name)) => KnowledgeBase.open({ backend, dimension: 4, index: 'hnsw' });
  const embedder = new CountingEmbedder(4);

  it('with the write lock: both ingests of 200 land, one after the other, and the store checks out', async () => {
    const [a, b] = await Promise.all([open('two-tabs'), open('two-tabs')]);
    await Promise.all([a.ingest({ jsonl: passagesJsonl(200) }, { embedder, batchSize: 16 }), b.ingest({ jsonl: passagesJsonl(200, 1000) }, { embedder, batchSize: 16 })]);
    const after = await open('two-tabs');
    expect(after.size).toBe(400);
    expect(await after.verify()).toEqual({ ok: true, problems: [] });
    // Each tab sees the other's passages after its own write (the lock rereads what is stored).
    expect(Math.max(a.size, b.size)).toBe(400);
    expect(after.manifest.nextId).toBe(400);
  });

  it('without it: one tab is told to retry (KnowledgeBaseConflictError), no passage is lost or mixed, the retry lands', async () => {
    const name = 'two-tabs-unlocked';
    const [a, b] = await Promise.all([open(name, new UnlockedIdbBackend(name)), open(name, new UnlockedIdbBackend(name))]);
    const inputs = [passagesJsonl(200), passagesJsonl(200, 1000)];
    const results = await Promise.allSettled([a.ingest({ jsonl: inputs[0]! }, { embedder, batchSize: 16 }), b.ingest({ jsonl: inputs[1]! }, { embedder, batchSize: 16 })]);
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
    // Interleaved: the second fresh start clears the first's pending batches, so the first fails.
    expect(failed).toHaveLength(1);
    for (const i of failed) expect((results[i] as PromiseRejectedResult).reason).toBeInstanceOf(KnowledgeBaseConflictError);
    const check = await open(name);
    expect(check.size).toBe(200 * (2 - failed.length));
    expect(await check.verify()).toEqual({ ok: true, problems: [] });
    // The tab told to retry does, and then both inputs are there, whole.
    for (const i of failed) await [a, b][i]!.ingest({ jsonl: inputs[i]! }, { embedder, batchSize: 16 });
    const final = await open(name);
    expect(final.size).toBe(400);
    expect(await final.verify()).toEqual({ ok: true, problems: [] });
    const titles = (await final.getPassages(Array.from({ length: 400 }, (_, i) => i))).map((p) => p.title);
    expect(new Set(titles).size).toBe(400);
  });
});

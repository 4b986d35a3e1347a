import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CountingEmbedder, FailingBackend, passagesJsonl, vectorFor } from '../test/fakes.js';
import { KnowledgeBaseCorruptError, KnowledgeBaseFetchError, KnowledgeBaseNameTakenError } from './errors.js';
import { HnswIndex } from './hnsw-index.js';
import { KB_FILES, exportKnowledgeBase, loadKnowledgeBase, type FileSource } from './kb-folder.js';
import { KnowledgeBase } from './knowledge-base.js';
import { readNpy } from './npy.js';
import { MemoryBackend } from './store-backend.js';

// The folder format built in Node, written with fs, and read back the way a browser would
// (through a FileSource; a browser passes the folder's URL and fetch does the reading).
describe('knowledge-base folders', () => {
  it('export → files on disk → load: same passages, same answers, the HNSW graph reused', async () => {
    const embedder = new CountingEmbedder(12);
    const kb = await KnowledgeBase.open({ backend: new MemoryBackend('src'), dimension: 12, index: 'hnsw' });
    await kb.ingest({ jsonl: passagesJsonl(30) }, { embedder });
    await kb.remove([4]);
    const files = await exportKnowledgeBase(kb);
    const dir = mkdtempSync(join(tmpdir(), 'kb-'));
    for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);

    const manifest = JSON.parse(readFileSync(join(dir, KB_FILES.manifest), 'utf8'));
    expect(manifest).toMatchObject({ count: 29, nextId: 30, deletedIds: [4], files: { index: 'index.hnsw' }, index: { kind: 'hnsw', count: 29 } });
    expect(readNpy(new Uint8Array(readFileSync(join(dir, KB_FILES.embeddings))))).toMatchObject({ rows: 29, cols: 12 });

    const reader = async (name: string) => new Uint8Array(readFileSync(join(dir, name)));
    const backend = new MemoryBackend('dst');
    const loaded = await loadKnowledgeBase(reader, { backend });
    expect(loaded.size).toBe(29);
    expect(loaded.manifest.checksum).toBe(kb.manifest.checksum);
    expect(await loaded.verify()).toEqual({ ok: true, problems: [] });
    const q = vectorFor('title 7\u0000passage number 7 about topic 0', 12);
    expect([...(await loaded.search(q, 5)).ids]).toEqual([...(await kb.search(q, 5)).ids]);
    expect([...(await loaded.search(q, 29)).ids]).not.toContain(4);
    // Loading again into the same store reads only manifest.json.
    const read: string[] = [];
    await loadKnowledgeBase(async (name) => (read.push(name), reader(name)), { backend });
    expect(read).toEqual([KB_FILES.manifest]);
  });

  it('a folder whose files disagree with the manifest is rejected before anything is stored', async () => {
    const kb = await KnowledgeBase.open({ backend: new MemoryBackend('src2'), dimension: 4, index: 'exact' });
    await kb.ingest({ jsonl: passagesJsonl(3) }, { embedder: new CountingEmbedder(4) });
    const files = await exportKnowledgeBase(kb);
    const text = new TextDecoder().decode(files.get(KB_FILES.passages)).replace('title 1', 'title X');
    files.set(KB_FILES.passages, new TextEncoder().encode(text));
    const backend = new MemoryBackend('dst2');
    await expect(loadKnowledgeBase(async (n) => files.get(n)!, { backend, index: 'exact' })).rejects.toThrow(KnowledgeBaseCorruptError);
    expect(await backend.get('manifest')).toBeUndefined();
  });
});

/** A folder of `n` passages titled `title <first + i>`, embedded by CountingEmbedder, HNSW efSearch 77. */
async function folderFiles(n: number, first = 0): Promise<Map<string, Uint8Array>> {
  const kb = await KnowledgeBase.open({ backend: new MemoryBackend(`folder-${first}`), dimension: 12, index: 'hnsw', hnsw: { efSearch: 77 } });
  await kb.ingest({ jsonl: passagesJsonl(n, first) }, { embedder: new CountingEmbedder(12) });
  const files = await exportKnowledgeBase(kb);
  await kb.close();
  return files;
}

function writeFolder(files: Map<string, Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kb-'));
  for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
  return dir;
}

/** A FileSource over `files` (swappable: the "server" ships a new version) that logs what is read. */
function servedFolder(files: Map<string, Uint8Array>): { source: FileSource; read: string[]; ship(next: Map<string, Uint8Array>): void } {
  let current = files;
  const read: string[] = [];
  return {
    source: async (name) => (read.push(name), current.get(name)!),
    read,
    ship: (next) => void (current = next),
  };
}

async function titlesOf(kb: KnowledgeBase): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of kb.store.passages()) out.push(...batch.map((p) => p.title));
  return out;
}

const userPassage = { title: 'my notes', text: 'passages a user added after loading the shipped folder' };

describe('loadKnowledgeBase in Node: folder paths', () => {
  it('reads an absolute or relative folder path, or a file: URL, from disk into memory', async () => {
    const dir = writeFolder(await folderFiles(30));
    for (const source of [dir, relative(process.cwd(), dir), pathToFileURL(dir), pathToFileURL(dir).href]) {
      const kb = await loadKnowledgeBase(source);
      expect(kb.size).toBe(30);
      expect(kb.store.backend).toBeInstanceOf(MemoryBackend);
      expect(await kb.verify()).toEqual({ ok: true, problems: [] });
      await kb.close();
    }
  });

  it('a path that is no knowledge-base folder is a KnowledgeBaseFetchError naming it, not a TypeError', async () => {
    const missing = join(tmpdir(), 'no-such-kb-folder', 'kb');
    const err = await loadKnowledgeBase(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KnowledgeBaseFetchError);
    expect((err as Error).message).toBe(`Reading manifest.json from the knowledge-base folder ${missing} failed: there is no such folder.`);
    const empty = mkdtempSync(join(tmpdir(), 'kb-empty-'));
    const err2 = await loadKnowledgeBase(empty).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(KnowledgeBaseFetchError);
    expect((err2 as Error).message).toMatch(new RegExp(`^Reading manifest.json from the knowledge-base folder ${empty} failed: ENOENT`));
  });
});

describe('loadKnowledgeBase into a store that keeps it', () => {
  it('unchanged: reads manifest.json only; changed: swaps the shipped passages and keeps the ones added since', async () => {
    const served = servedFolder(await folderFiles(30));
    const backend = new MemoryBackend('kept');
    const embedder = new CountingEmbedder(12);
    const first = await loadKnowledgeBase(served.source, { backend });
    await first.ingest({ passages: [userPassage] }, { embedder });
    expect(first.size).toBe(31);

    served.read.length = 0;
    const again = await loadKnowledgeBase(served.source, { backend });
    expect(served.read).toEqual([KB_FILES.manifest]);
    expect(await titlesOf(again)).toContain(userPassage.title);
    expect(again.size).toBe(31);

    served.ship(await folderFiles(35, 100));
    served.read.length = 0;
    const updated = await loadKnowledgeBase(served.source, { backend });
    expect(served.read).toEqual([KB_FILES.manifest, KB_FILES.passages, KB_FILES.embeddings, KB_FILES.index]);
    const titles = await titlesOf(updated);
    expect(titles).toHaveLength(36);
    expect(titles).toContain(userPassage.title);
    expect(titles).toContain('title 134');
    expect(titles).not.toContain('title 0');
    expect(await updated.verify()).toEqual({ ok: true, problems: [] });
    // The graph is rebuilt over old and new passages, with the folder's parameters.
    expect(updated.index).toBeInstanceOf(HnswIndex);
    expect((updated.index as HnswIndex).efSearch).toBe(77);
    expect(updated.manifest.shipped).toMatchObject({ from: 31, to: 66 });
    // A folder exported from it is a folder of its own: no record of where its passages came from.
    expect(JSON.parse(new TextDecoder().decode((await exportKnowledgeBase(updated)).get(KB_FILES.manifest)))).not.toHaveProperty('shipped');
    const q = vectorFor(`${userPassage.title}\u0000${userPassage.text}`, 12);
    const [userDoc] = (await updated.search(q, 1)).ids;
    expect((await updated.getPassages([Number(userDoc)]))[0]!.title).toBe(userPassage.title);
    const q2 = vectorFor('title 117\u0000passage number 117 about topic 5', 12);
    expect((await updated.getPassages([Number((await updated.search(q2, 1)).ids[0])]))[0]!.title).toBe('title 117');

    served.read.length = 0;
    expect((await loadKnowledgeBase(served.source, { backend })).size).toBe(36);
    expect(served.read).toEqual([KB_FILES.manifest]);

    // Offline: the stored copy; with none stored, the fetch error.
    const offline: FileSource = async (name) => {
      throw new KnowledgeBaseFetchError(`Fetching ${name} failed: offline`);
    };
    expect(await titlesOf(await loadKnowledgeBase(offline, { backend }))).toEqual(titles);
    await expect(loadKnowledgeBase(offline, { backend: new MemoryBackend('never-loaded') })).rejects.toThrow(KnowledgeBaseFetchError);
  });

  it('an update that fails at its commit leaves the previous copy whole; the next load applies it', async () => {
    const served = servedFolder(await folderFiles(20));
    const backend = new FailingBackend(new MemoryBackend('interrupted'));
    const kb = await loadKnowledgeBase(served.source, { backend });
    await kb.ingest({ passages: [userPassage] }, { embedder: new CountingEmbedder(12) });
    const before = await titlesOf(kb);

    served.ship(await folderFiles(25, 50));
    backend.failOn(2, new Error('tab closed')); // write 1: the new passages; write 2: the commit
    await expect(loadKnowledgeBase(served.source, { backend })).rejects.toThrow('tab closed');
    const reopened = await KnowledgeBase.open({ backend });
    expect(await titlesOf(reopened)).toEqual(before);
    expect(await reopened.verify()).toEqual({ ok: true, problems: [] });

    const updated = await loadKnowledgeBase(served.source, { backend });
    const titles = await titlesOf(updated);
    expect(titles).toHaveLength(26);
    expect(titles).toContain(userPassage.title);
    expect(titles).not.toContain('title 0');
  });

  it('a store filled before loads were tracked is adopted when it holds the folder; one of other passages is refused untouched', async () => {
    const files = await folderFiles(15);
    // What an older version stored: the folder's passages under their ids, then a user's.
    const legacy = new MemoryBackend('legacy');
    const old = await KnowledgeBase.open({ backend: legacy, dimension: 12 });
    await old.ingest({ jsonl: passagesJsonl(15) }, { embedder: new CountingEmbedder(12) });
    await old.ingest({ passages: [userPassage] }, { embedder: new CountingEmbedder(12) });
    expect(old.manifest.shipped).toBeUndefined();
    const served = servedFolder(files);
    const adopted = await loadKnowledgeBase(served.source, { backend: legacy });
    expect(served.read).toEqual([KB_FILES.manifest]);
    expect(adopted.manifest.shipped).toEqual({ checksum: JSON.parse(new TextDecoder().decode(files.get(KB_FILES.manifest))).checksum, from: 0, to: 15 });
    expect(adopted.size).toBe(16);

    const other = new MemoryBackend('other');
    const mine = await KnowledgeBase.open({ backend: other, dimension: 12 });
    await mine.ingest({ jsonl: passagesJsonl(20, 500) }, { embedder: new CountingEmbedder(12) });
    const err = await loadKnowledgeBase(served.source, { backend: other }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KnowledgeBaseNameTakenError);
    expect((err as Error).message).toMatch(/^Knowledge base "other" already holds passages that were not loaded from the given FileSource/);
    expect(await titlesOf(await KnowledgeBase.open({ backend: other }))).toEqual(await titlesOf(mine));
  });
});

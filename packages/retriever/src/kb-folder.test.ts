import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CountingEmbedder, passagesJsonl, vectorFor } from '../test/fakes.js';
import { KnowledgeBaseCorruptError } from './errors.js';
import { KB_FILES, exportKnowledgeBase, loadKnowledgeBase } from './kb-folder.js';
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

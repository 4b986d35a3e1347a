import { afterAll, describe, expect, it, vi } from 'vitest';
import { commands } from 'vitest/browser';
import { CountingEmbedder, passagesJsonl, vectorFor } from '../test/fakes.js';
import { exportKnowledgeBase, loadKnowledgeBase } from './kb-folder.js';
import { KnowledgeBase } from './knowledge-base.js';
import { IdbBackend, MemoryBackend } from './store-backend.js';

// A knowledge-base folder written to disk (through vitest's server commands), served by the dev
// server, and loaded in the page from its URL with fetch, as an app would load a prebuilt one.
const dir = `kb-test-output/${Date.now()}`;
const written: string[] = [];

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

afterAll(async () => {
  for (const path of written) await commands.removeFile(path);
});

describe('loadKnowledgeBase from a URL', () => {
  it('fetches the folder once into IndexedDB; a second load reads only manifest.json', async () => {
    const source = await KnowledgeBase.open({ backend: new MemoryBackend('built'), dimension: 24, index: 'hnsw' });
    await source.ingest({ jsonl: passagesJsonl(40) }, { embedder: new CountingEmbedder(24) });
    await source.remove([9]);
    for (const [name, bytes] of await exportKnowledgeBase(source)) {
      const path = `packages/retriever/${dir}/${name}`; // relative to the project root
      await commands.writeFile(path, base64(bytes), 'base64');
      written.push(path);
    }
    const url = `/packages/retriever/${dir}/`;
    const backend = new IdbBackend(`from-url-${Date.now()}`);
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const kb = await loadKnowledgeBase(url, { backend });
    expect(fetchSpy.mock.calls.map(([u]) => String(u).split('/').pop())).toEqual(['manifest.json', 'passages.jsonl', 'embeddings.npy', 'index.hnsw']);
    expect(kb.size).toBe(39);
    const q = vectorFor('title 12\u0000passage number 12 about topic 5', 24);
    expect([...(await kb.search(q, 5)).ids]).toEqual([...(await source.search(q, 5)).ids]);
    await kb.close();

    fetchSpy.mockClear();
    const again = await loadKnowledgeBase(url, { backend: new IdbBackend(backend.name) });
    expect(fetchSpy.mock.calls.map(([u]) => String(u).split('/').pop())).toEqual(['manifest.json']);
    expect(again.size).toBe(39);
    expect(await again.verify()).toEqual({ ok: true, problems: [] });
    fetchSpy.mockRestore();
    await again.destroy();
  });

  it('by default keeps it in IndexedDB: a reload fetches only manifest.json and keeps added passages; a changed folder is applied, added passages kept', async () => {
    const folder = `packages/retriever/${dir}-shipped`;
    const ship = async (n: number, first: number) => {
      const built = await KnowledgeBase.open({ backend: new MemoryBackend(`built-${first}`), dimension: 16, index: 'hnsw' });
      await built.ingest({ jsonl: passagesJsonl(n, first) }, { embedder: new CountingEmbedder(16) });
      for (const [name, bytes] of await exportKnowledgeBase(built)) {
        await commands.writeFile(`${folder}/${name}`, base64(bytes), 'base64');
        if (!written.includes(`${folder}/${name}`)) written.push(`${folder}/${name}`);
      }
    };
    const fetched = (spy: { mock: { calls: unknown[][] } }) => spy.mock.calls.map(([u]) => String(u).split('/').pop());
    const name = `shipped-${Date.now()}`;
    const note = { title: 'my note', text: 'something the user added in this browser' };
    await ship(25, 0);
    const fetchSpy = vi.spyOn(globalThis, 'fetch');

    const kb = await loadKnowledgeBase(`/${folder}/`, { name });
    expect(kb.store.backend).toBeInstanceOf(IdbBackend);
    await kb.ingest({ passages: [note] }, { embedder: new CountingEmbedder(16) });
    await kb.close();

    fetchSpy.mockClear();
    const reloaded = await loadKnowledgeBase(`/${folder}/`, { name });
    expect(fetched(fetchSpy)).toEqual(['manifest.json']);
    expect(reloaded.size).toBe(26);
    const q = vectorFor(`${note.title}\u0000${note.text}`, 16);
    expect((await reloaded.getPassages([...(await reloaded.search(q, 1)).ids].map(Number)))[0]!.title).toBe(note.title);
    await reloaded.close();

    await ship(30, 200);
    fetchSpy.mockClear();
    const updated = await loadKnowledgeBase(`/${folder}/`, { name });
    expect(fetched(fetchSpy)).toEqual(['manifest.json', 'passages.jsonl', 'embeddings.npy', 'index.hnsw']);
    expect(updated.size).toBe(31);
    const titles = (await updated.getPassages([...(await updated.search(q, 31)).ids].map(Number))).map((p) => p.title);
    expect(titles).toContain(note.title);
    expect(titles).toContain('title 229');
    expect(titles).not.toContain('title 0');
    expect(await updated.verify()).toEqual({ ok: true, problems: [] });
    fetchSpy.mockRestore();
    await updated.destroy();
  });

  it('persist: false keeps it in memory only', async () => {
    const kb = await loadKnowledgeBase(`/packages/retriever/${dir}/`, { persist: false });
    expect(kb.store.backend).toBeInstanceOf(MemoryBackend);
    expect(kb.size).toBe(39);
  });
});

import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { CountingEmbedder } from '../test/fakes.js';
import { idbAtomicitySuite, knowledgeBaseSuite } from '../test/knowledge-base-suite.js';
import { KnowledgeBase } from './knowledge-base.js';
import { IdbBackend, MemoryBackend } from './store-backend.js';

// Node: the in-memory back-end, and IdbBackend over fake-indexeddb. The real IndexedDB runs the
// same suite in Chromium (knowledge-base.browser.test.ts).
const memory = new Map<string, MemoryBackend>();
const memoryFactory = {
  label: 'memory',
  backend: (name: string) => {
    let b = memory.get(name);
    if (!b) memory.set(name, (b = new MemoryBackend(name)));
    return b;
  },
};
const fakeIdbFactory = { label: 'fake-indexeddb', backend: (name: string) => new IdbBackend(name) };

for (const factory of [memoryFactory, fakeIdbFactory]) {
  knowledgeBaseSuite(factory, 'exact');
  knowledgeBaseSuite(factory, 'hnsw');
}

describe('IdbBackend over fake-indexeddb', () => idbAtomicitySuite());

describe('ingest sources', () => {
  it('raw documents are split into 100-word passages; JSON arrays are read like JSONL', async () => {
    const kb = await KnowledgeBase.open({ backend: new MemoryBackend('sources'), dimension: 8, index: 'exact' });
    const embedder = new CountingEmbedder(8);
    const text = Array.from({ length: 230 }, (_, i) => `word${i}`).join(' ');
    const res = await kb.ingest({ documents: [{ title: 'Long', text }] }, { embedder });
    expect(res).toMatchObject({ firstId: 0, count: 3 });
    expect((await kb.getPassages([2]))[0]).toMatchObject({ title: 'Long', text: Array.from({ length: 30 }, (_, i) => `word${200 + i}`).join(' ') });
    await kb.ingest({ json: '[{"title": "a", "text": "b"}]' }, { embedder });
    expect(kb.size).toBe(4);
    expect(embedder.embedded).toBe(4);
  });
});

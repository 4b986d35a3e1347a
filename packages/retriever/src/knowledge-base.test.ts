import 'fake-indexeddb/auto';
import { describe } from 'vitest';
import { idbAtomicitySuite, knowledgeBaseSuite } from '../test/knowledge-base-suite.js';
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

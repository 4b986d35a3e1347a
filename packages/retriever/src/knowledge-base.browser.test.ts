import { acquireGpuDevice } from '@rag-web/core';
import { beforeAll, describe } from 'vitest';
import { idbAtomicitySuite, knowledgeBaseSuite } from '../test/knowledge-base-suite.js';
import { IdbBackend } from './store-backend.js';

// Chromium's real IndexedDB. "Reload" = close the connection, open a new one and build a fresh
// index object from what is stored; the counting embedder proves no embedding happens then.
let device: GPUDevice;
beforeAll(async () => {
  ({ device } = await acquireGpuDevice());
});

const idb = { label: 'indexeddb', backend: (name: string) => new IdbBackend(name) };
knowledgeBaseSuite(idb, 'hnsw');
knowledgeBaseSuite(idb, 'exact', () => device);
describe('IdbBackend in Chromium', () => idbAtomicitySuite());

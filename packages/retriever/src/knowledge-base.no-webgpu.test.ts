import { describe } from 'vitest';
import { idbAtomicitySuite, knowledgeBaseSuite } from '../test/knowledge-base-suite.js';
import { IdbBackend } from './store-backend.js';

// Chromium without WebGPU: the exact index runs on its CPU path, HNSW is WASM anyway; storage is
// the real IndexedDB.
const idb = { label: 'indexeddb-no-webgpu', backend: (name: string) => new IdbBackend(name) };
knowledgeBaseSuite(idb, 'exact');
knowledgeBaseSuite(idb, 'hnsw');
describe('IdbBackend in Chromium without WebGPU', () => idbAtomicitySuite());

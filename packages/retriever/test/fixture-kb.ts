// A fixture's passages and their transformers embeddings (passage_embeddings.npy) as an
// in-memory knowledge base, for tests in Node.
import { readFileSync } from 'node:fs';
import { fixturePath } from '../../../test/fixture-files.js';
import { KnowledgeBase } from '../src/knowledge-base.js';
import { readNpy } from '../src/npy.js';
import { parsePassagesJsonl } from '../src/passage-input.js';
import { MemoryBackend } from '../src/store-backend.js';

export async function fixtureKb(caseName: string, index: 'exact' | 'hnsw'): Promise<KnowledgeBase> {
  const rows = parsePassagesJsonl(readFileSync(fixturePath(`${caseName}/passages.jsonl`), 'utf8'));
  const emb = readNpy(new Uint8Array(readFileSync(fixturePath(`${caseName}/passage_embeddings.npy`))));
  const kb = await KnowledgeBase.open({ backend: new MemoryBackend(caseName), dimension: emb.cols, index });
  await kb.ingest({ passages: rows.map((r, i) => ({ ...r, embedding: emb.data.slice(i * emb.cols, (i + 1) * emb.cols) })) }, { modelId: `${caseName}/ctx-encoder` });
  return kb;
}

// Builds a bundled knowledge base, public/kb/<name>/, from a corpus in fixtures/<name>/
// (passages.jsonl + passage_embeddings.npy, the context encoder's output) in the retriever's folder
// format: world-facts (the default, tools/train_default.py) and tiny-a (the parity fixture). Run
// after changing the corpus or retraining; the output is committed:
//
//   pnpm run build && node demo/scripts/build-kb.mjs world-facts
//
// It imports the packages' built dist/ (plain Node cannot run their TypeScript sources).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KnowledgeBase, MemoryBackend, exportKnowledgeBase, parsePassagesJsonl, readNpy } from '@rag-web/retriever';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const name = process.argv[2];
if (!['world-facts', 'tiny-a'].includes(name)) throw new Error('usage: node demo/scripts/build-kb.mjs world-facts|tiny-a');
const fixture = join(root, 'fixtures', name);
const out = join(root, 'public/kb', name);
// The id the demo's context encoder reports (the model URL as given to fromPretrained): passages
// the user adds to this knowledge base must come from the same encoder, and the retriever checks it.
const modelId = `/models/${name}`;

const passages = parsePassagesJsonl(await readFile(join(fixture, 'passages.jsonl'), 'utf8'));
const npy = readNpy(new Uint8Array(await readFile(join(fixture, 'passage_embeddings.npy'))), 'passage_embeddings.npy');
if (npy.rows !== passages.length) throw new Error(`${npy.rows} embeddings for ${passages.length} passages`);
passages.forEach((p, i) => (p.embedding = npy.data.slice(i * npy.cols, (i + 1) * npy.cols)));

const kb = await KnowledgeBase.open({ backend: new MemoryBackend(name), dimension: npy.cols, modelId });
await kb.ingest({ passages }, { modelId });
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
for (const [file, bytes] of await exportKnowledgeBase(kb)) await writeFile(join(out, file), bytes);
process.stdout.write(`wrote ${kb.size} passages (dimension ${kb.dimension}) to ${out}\n`);
await kb.close();

import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { KB_FILES, MemoryBackend, exportKnowledgeBase, loadKnowledgeBase, type KnowledgeBase } from '@rag-web/retriever';
import type { OptionSpec } from './cli-options.js';
import { InputFileError } from './errors.js';
import { isDirectory, readInputFile, readTextFile } from './input-files.js';

export const INDEX_KINDS = Object.freeze(['hnsw', 'exact'] as const);
export type IndexKind = (typeof INDEX_KINDS)[number];

export const SEARCH_INDEX_OPTION: OptionSpec = {
  name: 'index',
  value: INDEX_KINDS.join('|'),
  description: 'search with the stored HNSW graph, or exact inner products (ties to the lower doc id, as transformers)',
  default: 'hnsw if the folder has a graph (index.hnsw), else exact',
};

/**
 * Writes a knowledge base as the folder the browser package loads as-is (retriever's
 * kb-folder.ts). An old manifest.json goes first and the new one is written last, so that a
 * folder with a manifest never points at half-written files; files of an older knowledge base
 * that the new one does not have (its index.hnsw) are removed after that.
 */
export async function writeKnowledgeBaseFolder(kb: KnowledgeBase, dir: string): Promise<Map<string, Uint8Array>> {
  const files = await exportKnowledgeBase(kb);
  await mkdir(dir, { recursive: true });
  await rm(join(dir, KB_FILES.manifest), { force: true });
  for (const [name, bytes] of files) if (name !== KB_FILES.manifest) await writeFile(join(dir, name), bytes);
  await writeFile(join(dir, KB_FILES.manifest), files.get(KB_FILES.manifest)!);
  for (const name of Object.values(KB_FILES)) if (!files.has(name)) await rm(join(dir, name), { force: true });
  return files;
}

/** Whether `dir` exists and is not empty (rag index refuses to overwrite one without --force). */
export async function folderHasFiles(dir: string): Promise<boolean> {
  return (await isDirectory(dir)) && (await readdir(dir)).length > 0;
}

/**
 * Opens a knowledge-base folder into memory (checked against its manifest by the retriever).
 * `index` overrides the kind of search; by default the stored graph is used if there is one.
 */
export async function openKnowledgeBaseFolder(dir: string, index: IndexKind | undefined): Promise<KnowledgeBase> {
  const abs = resolve(dir);
  if (!(await isDirectory(abs))) throw new InputFileError(`knowledge-base folder ${dir} not found (build one with rag index)`, { dir });
  const manifestText = await readTextFile(join(abs, KB_FILES.manifest), 'knowledge-base manifest');
  let stored: { files?: { index?: string | null } };
  try {
    stored = JSON.parse(manifestText) as typeof stored;
  } catch (err) {
    throw new InputFileError(`${join(dir, KB_FILES.manifest)} is not valid JSON: ${(err as Error).message}`, { dir });
  }
  const kind = index ?? (stored.files?.index ? 'hnsw' : 'exact');
  const source = async (name: string) => new Uint8Array(await readInputFile(join(abs, name), 'knowledge-base'));
  return loadKnowledgeBase(source, { backend: new MemoryBackend(basename(abs)), index: kind });
}

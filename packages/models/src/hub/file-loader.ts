import { ModelLoadError } from '../errors.js';
import type { FileCache } from './file-cache.js';
import { fileKey, type ModelSource } from './model-source.js';
import type { ProgressTracker } from './progress.js';

export interface LoadFileOptions {
  cache?: FileCache | undefined;
  progress: ProgressTracker;
  signal?: AbortSignal | undefined;
}

/**
 * Loads one file of a model: cache first, then the source, reporting byte progress; a fetched
 * file is put in the cache. A missing file is a ModelLoadError naming it.
 */
export async function loadFile(source: ModelSource, path: string, options: LoadFileOptions): Promise<Uint8Array> {
  const { progress, cache, signal } = options;
  const key = fileKey(source, path);
  progress.emit({ status: 'initiate', file: path });
  signal?.throwIfAborted();
  const cached = source.kind === 'url' ? await cache?.get(key) : undefined;
  if (cached) {
    progress.emit({ status: 'progress', file: path, loaded: cached.byteLength, total: cached.byteLength, progress: 100 });
    progress.emit({ status: 'done', file: path, fromCache: true });
    return cached;
  }
  progress.emit({ status: 'download', file: path });
  let bytes: Uint8Array;
  if (source.kind === 'bytes') {
    const b = source.files[path];
    if (!b) throw new ModelLoadError(`model file ${path} is missing from the given bytes`, { file: path });
    bytes = b;
  } else if (source.kind === 'local') {
    bytes = await readLocal(source.dir, path);
  } else {
    bytes = await fetchWithProgress(key, path, progress, signal);
    await cache?.put(key, bytes);
  }
  progress.emit({ status: 'progress', file: path, loaded: bytes.byteLength, total: bytes.byteLength, progress: 100 });
  progress.emit({ status: 'done', file: path, fromCache: false });
  return bytes;
}

async function readLocal(dir: string, path: string): Promise<Uint8Array> {
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  try {
    return new Uint8Array(await readFile(join(dir, path)));
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new ModelLoadError(
      code === 'ENOENT' ? `model file ${path} not found in ${dir}` : `cannot read model file ${join(dir, path)}: ${String(err)}`,
      { file: path, dir },
    );
  }
}

async function fetchWithProgress(url: string, path: string, progress: ProgressTracker, signal: AbortSignal | undefined): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, signal ? { signal } : {});
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ModelLoadError(`could not fetch model file ${url}: ${String(err)} (offline and not cached?)`, { file: path, url });
  }
  if (!response.ok) {
    throw new ModelLoadError(`model file ${path} could not be fetched: HTTP ${response.status} from ${url}`, { file: path, url, status: response.status });
  }
  const total = Number(response.headers.get('Content-Length') ?? 0);
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    const shownTotal = Math.max(total, loaded);
    progress.emit({ status: 'progress', file: path, loaded, total: shownTotal, progress: (100 * loaded) / shownTotal });
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return bytes;
}

/** Loads and parses a JSON file, with the file named in the error if it is not JSON. */
export async function loadJson(source: ModelSource, path: string, options: LoadFileOptions): Promise<Record<string, unknown>> {
  const bytes = await loadFile(source, path, options);
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch (err) {
    throw new ModelLoadError(`model file ${path} is not valid JSON: ${String(err)}`, { file: path });
  }
}

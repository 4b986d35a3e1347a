import { localFiles } from '#local-files';
import { ModelCacheWriteError, ModelFileNotFoundError, ModelIntegrityError, ModelLoadError } from '../errors.js';
import type { FileCache } from './file-cache.js';
import type { FileFacts } from './manifest.js';
import { fileKey, type ModelSource } from './model-source.js';
import type { ProgressTracker } from './progress.js';
import { sha256Hex } from './sha256.js';

export interface LoadFileOptions {
  cache?: FileCache | undefined;
  /** Byte progress of this file; none for the small config files read before the plan. */
  progress?: ProgressTracker | undefined;
  /** The file's name in progress events (unique over a model's parts). Default: its path. */
  label?: string;
  signal?: AbortSignal | undefined;
  /** Size and SHA-256 the bytes must have (from the manifest or the hub). */
  expected?: FileFacts | undefined;
  /** A downloaded file the cache refused: the load goes on with the bytes in hand. */
  onCacheError?: ((warning: ModelCacheWriteError) => void) | undefined;
}

/**
 * Loads one file of a model: cache first, then the source. Bytes that do not match `expected`
 * are never used: a cached copy is evicted and fetched again, a fetched one is a
 * ModelIntegrityError (and is not cached). A missing file is a ModelFileNotFoundError naming it.
 */
export async function loadFile(source: ModelSource, path: string, options: LoadFileOptions = {}): Promise<Uint8Array> {
  const { progress, cache, signal, expected } = options;
  const label = options.label ?? path;
  const key = fileKey(source, path);
  signal?.throwIfAborted();
  let cached = source.kind === 'url' ? await cache?.get(key) : undefined;
  if (cached && expected && (await mismatch(cached, expected))) {
    await cache?.delete(key);
    cached = undefined;
  }
  if (cached) {
    progress?.emit({ status: 'progress', file: label, loaded: cached.byteLength, total: cached.byteLength, progress: 100 });
    progress?.emit({ status: 'done', file: label, fromCache: true });
    return cached;
  }
  progress?.emit({ status: 'download', file: label });
  let bytes: Uint8Array;
  if (source.kind === 'bytes') {
    const b = source.files[source.dir + path];
    if (!b) throw new ModelFileNotFoundError(`model file ${source.dir}${path} is missing from the given bytes`, { file: path });
    bytes = b;
  } else if (source.kind === 'local') {
    bytes = await readLocal(source.dir, path);
  } else {
    bytes = await fetchWithProgress(key, label, progress, signal, expected?.size);
  }
  signal?.throwIfAborted();
  const bad = expected ? await mismatch(bytes, expected) : undefined;
  if (bad) throw corrupt(path, key, bad, expected!);
  if (source.kind === 'url' && cache) await keepInCache(cache, key, path, bytes, options.onCacheError);
  progress?.emit({ status: 'progress', file: label, loaded: bytes.byteLength, total: bytes.byteLength, progress: 100 });
  progress?.emit({ status: 'done', file: label, fromCache: false });
  return bytes;
}

async function keepInCache(cache: FileCache, key: string, path: string, bytes: Uint8Array, onCacheError: LoadFileOptions['onCacheError']): Promise<void> {
  try {
    await cache.put(key, bytes);
  } catch (err) {
    // The bytes are good: a full quota or an entry too large costs the next load a download, not this load.
    await cache.delete(key).catch(() => undefined);
    const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    onCacheError?.(new ModelCacheWriteError(`model file ${path} loaded but could not be kept in the cache (${why}); it will be downloaded again next time`, { file: path, url: key, bytes: bytes.byteLength }));
  }
}

function corrupt(path: string, key: string, why: string, expected: FileFacts): ModelIntegrityError {
  return new ModelIntegrityError(`model file ${path} is corrupt: ${why} (from ${key}); it was not kept, try again`, { file: path, url: key, ...expected });
}

async function mismatch(bytes: Uint8Array, expected: FileFacts): Promise<string | undefined> {
  if (bytes.byteLength !== expected.size) return `${bytes.byteLength} bytes, expected ${expected.size}`;
  if (expected.sha256 === undefined) return undefined;
  const actual = await sha256Hex(bytes);
  return actual === expected.sha256 ? undefined : `SHA-256 ${actual}, expected ${expected.sha256}`;
}

/**
 * Size (and SHA-256 where the server names it) of a file, without downloading it; undefined when
 * the file is not there. Over HTTP a HEAD request: the hub answers LFS files with their size and
 * digest (`X-Linked-Size`, `X-Linked-Etag`) after redirecting. `size` is NaN when a server gives none.
 */
export async function statFile(source: ModelSource, path: string, options: { signal?: AbortSignal | undefined; cache?: FileCache | undefined } = {}): Promise<FileFacts | undefined> {
  options.signal?.throwIfAborted();
  if (source.kind === 'bytes') {
    const b = source.files[source.dir + path];
    return b ? { size: b.byteLength } : undefined;
  }
  if (source.kind === 'local') {
    const file = localFiles.join(source.dir, path);
    try {
      return { size: await localFiles.size(file) };
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return undefined;
      throw new ModelLoadError(`cannot read model file ${file}: ${String(err)}`, { file: path, dir: source.dir });
    }
  }
  const url = fileKey(source, path);
  let response: Response;
  try {
    response = await fetch(url, { method: 'HEAD', ...(options.signal ? { signal: options.signal } : {}) });
  } catch (err) {
    if (options.signal?.aborted) throw err;
    // Offline: a cached copy still tells its size.
    const cached = await options.cache?.get(url);
    if (cached) return { size: cached.byteLength };
    throw new ModelLoadError(`could not reach model file ${url}: ${String(err)} (offline and not cached?)`, { file: path, url });
  }
  if (response.status === 404 || isFallbackPage(response)) return undefined;
  if (!response.ok) throw new ModelLoadError(`model file ${path}: HTTP ${response.status} from ${url}`, { file: path, url, status: response.status });
  const size = Number(response.headers.get('X-Linked-Size') ?? response.headers.get('Content-Length') ?? Number.NaN);
  const etag = response.headers.get('X-Linked-Etag')?.replaceAll('"', '');
  return { size: Number.isSafeInteger(size) ? size : Number.NaN, ...(etag && /^[0-9a-f]{64}$/.test(etag) ? { sha256: etag } : {}) };
}

/**
 * Node: checks a local file against its expected size and SHA-256 by streaming it (never all in
 * memory) and returns its full path, for an ONNX runtime that reads the file itself.
 */
export async function verifyLocalFile(dir: string, path: string, expected: FileFacts | undefined): Promise<string> {
  const full = localFiles.join(dir, path);
  if (!expected) return full;
  const { size, sha256 } = await localFiles.digest(full).catch((err: unknown) => {
    throw localReadError(err, dir, path);
  });
  if (size !== expected.size) throw corrupt(path, fileKey({ kind: 'local', dir }, path), `${size} bytes, expected ${expected.size}`, expected);
  if (expected.sha256 !== undefined && sha256 !== expected.sha256) {
    throw corrupt(path, fileKey({ kind: 'local', dir }, path), `SHA-256 ${sha256}, expected ${expected.sha256}`, expected);
  }
  return full;
}

function localReadError(err: unknown, dir: string, path: string): Error {
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') return new ModelFileNotFoundError(`model file ${path} not found in ${dir}`, { file: path, dir });
  return new ModelLoadError(`cannot read model file ${dir}/${path}: ${String(err)}`, { file: path, dir });
}

async function readLocal(dir: string, path: string): Promise<Uint8Array> {
  try {
    return await localFiles.read(localFiles.join(dir, path));
  } catch (err) {
    throw localReadError(err, dir, path);
  }
}

/**
 * A model file is never HTML: an HTML page answered with 200 is a single-page app's fallback
 * (`vite preview`, most static hosts) for a file that is not there.
 */
function isFallbackPage(response: Response): boolean {
  return response.ok && (response.headers.get('Content-Type') ?? '').startsWith('text/html');
}

async function fetchWithProgress(url: string, label: string, progress: ProgressTracker | undefined, signal: AbortSignal | undefined, size: number | undefined): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, signal ? { signal } : {});
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ModelLoadError(`could not fetch model file ${url}: ${String(err)} (offline and not cached?)`, { file: label, url });
  }
  if (response.status === 404 || isFallbackPage(response)) {
    throw new ModelFileNotFoundError(`model file ${label} not found: ${response.status === 404 ? 'HTTP 404' : 'an HTML page (the server\'s fallback for a missing file)'} from ${url}`, {
      file: label,
      url,
      status: response.status,
    });
  }
  if (!response.ok) {
    throw new ModelLoadError(`model file ${label} could not be fetched: HTTP ${response.status} from ${url}`, { file: label, url, status: response.status });
  }
  const total = size !== undefined && Number.isSafeInteger(size) ? size : Number(response.headers.get('Content-Length') ?? 0);
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  // With the size known the body is written into one buffer as it arrives: a large graph is never
  // held twice (chunks + their concatenation). A body longer than announced grows it.
  let bytes = new Uint8Array(total > 0 ? total : 1 << 16);
  let loaded = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.byteLength > bytes.byteLength) {
      const grown = new Uint8Array(Math.max(2 * bytes.byteLength, loaded + value.byteLength));
      grown.set(bytes.subarray(0, loaded));
      bytes = grown;
    }
    bytes.set(value, loaded);
    loaded += value.byteLength;
    const shownTotal = Math.max(total, loaded);
    progress?.emit({ status: 'progress', file: label, loaded, total: shownTotal, progress: (100 * loaded) / shownTotal });
  }
  return loaded === bytes.byteLength ? bytes : bytes.slice(0, loaded);
}

/** Loads and parses a JSON file, with the file named in the error if it is not JSON. */
export async function loadJson(source: ModelSource, path: string, options: LoadFileOptions = {}): Promise<Record<string, unknown>> {
  const bytes = await loadFile(source, path, options);
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch (err) {
    throw new ModelLoadError(`model file ${path} is not valid JSON: ${String(err)}`, { file: path });
  }
}

/** `loadJson`, or undefined when the file is not there (any other failure still throws). */
export async function loadOptionalJson(source: ModelSource, path: string, options: LoadFileOptions = {}): Promise<Record<string, unknown> | undefined> {
  try {
    return await loadJson(source, path, options);
  } catch (err) {
    if (err instanceof ModelFileNotFoundError) return undefined;
    throw err;
  }
}

import { sha256Hex } from './sha256.js';

/**
 * Where downloaded model files are kept for offline use. Keys are the files' full URLs.
 * The browser default is Cache Storage under a named scope; tests and Node may use memory or none.
 */
export interface FileCache {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** Drops an entry (a copy that failed its integrity check). */
  delete(key: string): Promise<void>;
}

export const DEFAULT_CACHE_SCOPE = 'rag-web-models';

/** The header that keeps a cached file's SHA-256, written with it and checked on every read. */
export const DIGEST_HEADER = 'X-Rag-Web-Sha256';

/**
 * Cache Storage (`caches.open(scope)`): survives reloads and serves the demo offline. Each file
 * is stored with its SHA-256; one that no longer matches (truncated by a full disk, a quota
 * eviction mid-write, an extension, a hand edit) or has none is deleted and reads as a miss, so
 * the loader downloads it again instead of failing on it at every reload.
 */
export class CacheStorageFileCache implements FileCache {
  constructor(private readonly scope = DEFAULT_CACHE_SCOPE) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    const cache = await caches.open(this.scope);
    const hit = await cache.match(key);
    if (!hit) return undefined;
    const bytes = new Uint8Array(await hit.arrayBuffer());
    const stored = hit.headers.get(DIGEST_HEADER);
    if (stored !== null && stored === (await sha256Hex(bytes))) return bytes;
    await cache.delete(key);
    return undefined;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const cache = await caches.open(this.scope);
    const headers = { 'Content-Length': String(bytes.byteLength), [DIGEST_HEADER]: await sha256Hex(bytes) };
    await cache.put(key, new Response(bytes as Uint8Array<ArrayBuffer>, { headers }));
  }

  async delete(key: string): Promise<void> {
    await (await caches.open(this.scope)).delete(key);
  }
}

export class MemoryFileCache implements FileCache {
  readonly entries = new Map<string, Uint8Array>();

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.entries.get(key);
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    this.entries.set(key, bytes);
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }
}

/** Cache Storage where the platform has it (browsers, secure contexts), otherwise nothing. */
export function defaultFileCache(): FileCache | undefined {
  return typeof caches !== 'undefined' ? new CacheStorageFileCache() : undefined;
}

/**
 * Where downloaded model files are kept for offline use. Keys are the files' full URLs.
 * The browser default is Cache Storage under a named scope; tests and Node may use memory or none.
 */
export interface FileCache {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
}

export const DEFAULT_CACHE_SCOPE = 'rag-web-models';

/** Cache Storage (`caches.open(scope)`): survives reloads and serves the demo offline. */
export class CacheStorageFileCache implements FileCache {
  constructor(private readonly scope = DEFAULT_CACHE_SCOPE) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    const cache = await caches.open(this.scope);
    const hit = await cache.match(key);
    return hit ? new Uint8Array(await hit.arrayBuffer()) : undefined;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const cache = await caches.open(this.scope);
    await cache.put(key, new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'Content-Length': String(bytes.byteLength) } }));
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
}

/** Cache Storage where the platform has it (browsers, secure contexts), otherwise nothing. */
export function defaultFileCache(): FileCache | undefined {
  return typeof caches !== 'undefined' ? new CacheStorageFileCache() : undefined;
}

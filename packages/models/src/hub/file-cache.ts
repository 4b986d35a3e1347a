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

/** On an entry stored in chunks: how many, each under `chunkKey(key, i)`, and their total length. */
export const CHUNKS_HEADER = 'X-Rag-Web-Chunks';
const LENGTH_HEADER = 'X-Rag-Web-Length';

/**
 * Chromium's Cache Storage rejects single entries of ~300 MB and more ("UnknownError: Unexpected
 * internal error"; 204 MB is stored, BART-large's 307 MB q8 decoder is not), so larger files are
 * stored as parts of this size.
 */
export const DEFAULT_CACHE_CHUNK_BYTES = 64 * 1024 * 1024;

/** The part count an entry records; 0 for a whole-file entry or a header that is not a sane count. */
function chunkCount(entry: Response | undefined): number {
  const count = Number(entry?.headers.get(CHUNKS_HEADER) ?? 0);
  return Number.isSafeInteger(count) && count > 0 && count <= 1 << 16 ? count : 0;
}

function chunkKey(key: string, index: number): string {
  const url = new URL(key);
  url.searchParams.append('rag-web-chunk', String(index));
  return url.href;
}

/**
 * Cache Storage (`caches.open(scope)`): survives reloads and serves the demo offline. Each file
 * is stored with its SHA-256; one that no longer matches (truncated by a full disk, a quota
 * eviction mid-write, an extension, a hand edit) or has none is deleted and reads as a miss, so
 * the loader downloads it again instead of failing on it at every reload. A file above
 * `chunkBytes` is stored as parts first and its entry (digest, part count) last, so a write cut
 * short (tab closed, quota) leaves no entry, and reads as a miss.
 */
export class CacheStorageFileCache implements FileCache {
  constructor(
    private readonly scope = DEFAULT_CACHE_SCOPE,
    private readonly chunkBytes = DEFAULT_CACHE_CHUNK_BYTES,
  ) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    const cache = await caches.open(this.scope);
    const hit = await cache.match(key);
    if (!hit) return undefined;
    const bytes = hit.headers.has(CHUNKS_HEADER) ? await this.readChunks(cache, key, hit) : new Uint8Array(await hit.arrayBuffer());
    const stored = hit.headers.get(DIGEST_HEADER);
    if (bytes && stored !== null && stored === (await sha256Hex(bytes))) return bytes;
    await this.delete(key);
    return undefined;
  }

  /** The parts concatenated into one buffer of the recorded length; undefined when one is missing or the sizes disagree. */
  private async readChunks(cache: Cache, key: string, entry: Response): Promise<Uint8Array | undefined> {
    const count = chunkCount(entry);
    const length = Number(entry.headers.get(LENGTH_HEADER));
    if (count === 0 || !Number.isSafeInteger(length) || length < 0) return undefined;
    const bytes = new Uint8Array(length);
    let offset = 0;
    for (let i = 0; i < count; i++) {
      const part = await cache.match(chunkKey(key, i));
      if (!part) return undefined;
      const chunk = new Uint8Array(await part.arrayBuffer());
      if (offset + chunk.byteLength > length) return undefined;
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return offset === length ? bytes : undefined;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const cache = await caches.open(this.scope);
    const digest = await sha256Hex(bytes);
    if (bytes.byteLength <= this.chunkBytes) {
      await cache.put(key, new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'Content-Length': String(bytes.byteLength), [DIGEST_HEADER]: digest } }));
      return;
    }
    // An older copy's entry must not pair with these parts mid-write, nor its extra parts linger.
    await this.delete(key);
    const count = Math.ceil(bytes.byteLength / this.chunkBytes);
    try {
      for (let i = 0; i < count; i++) {
        const part = bytes.subarray(i * this.chunkBytes, Math.min(bytes.byteLength, (i + 1) * this.chunkBytes));
        await cache.put(chunkKey(key, i), new Response(part as Uint8Array<ArrayBuffer>));
      }
      await cache.put(key, new Response(null, { headers: { [DIGEST_HEADER]: digest, [CHUNKS_HEADER]: String(count), [LENGTH_HEADER]: String(bytes.byteLength) } }));
    } catch (err) {
      await Promise.all(Array.from({ length: count }, (_, i) => cache.delete(chunkKey(key, i))));
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const cache = await caches.open(this.scope);
    const count = chunkCount(await cache.match(key));
    await Promise.all([cache.delete(key), ...Array.from({ length: count }, (_, i) => cache.delete(chunkKey(key, i)))]);
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

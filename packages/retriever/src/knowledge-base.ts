import { ShapeError, type PassageSource, type ScoredPassages, type StoredPassage } from '@rag-web/core';
import { EmptyKnowledgeBaseError, KnowledgeBaseCorruptError, NotEnoughPassagesError } from './errors.js';
import { ExactIndex } from './exact-index.js';
import { HnswIndex } from './hnsw-index.js';
import { hadIndexedDb } from './hnsw-wasm.js';
import { ingest, type IngestOptions, type IngestResult, type IngestSource } from './ingest.js';
import type { HnswParams, KnowledgeBaseManifest } from './manifest.js';
import { PassageStore, type CommitChanges } from './passage-store.js';
import { IdbBackend, MemoryBackend, type StoreBackend } from './store-backend.js';
import type { SearchResult, VectorIndex } from './vector-index.js';

export interface KnowledgeBaseOptions {
  /** Names the IndexedDB database (`rag-web-kb:<name>`); default 'default'. */
  name?: string;
  /** Default: IndexedDB where it exists, memory otherwise (Node). */
  backend?: StoreBackend;
  /** Required to create a knowledge base; checked against a stored one (e.g. `retrieval_vector_size`). */
  dimension?: number;
  modelId?: string;
  /** 'hnsw' (default): approximate, persisted graph. 'exact': brute force, rebuilt from the embeddings on open. */
  index?: 'hnsw' | 'exact';
  /** For a new HNSW graph; `efSearch` also applies to a stored one. */
  hnsw?: Partial<HnswParams>;
  /** ExactIndex on WebGPU with this device; CPU without. */
  device?: GPUDevice | null;
}

/**
 * A knowledge base: the passage store (persistence, manifest) plus the vector index over it.
 * Opening one never embeds: a stored HNSW graph is deserialized; if it is missing or does not
 * match the manifest, it is rebuilt from the stored embeddings (and stored again).
 */
export class KnowledgeBase implements PassageSource {
  private constructor(
    readonly store: PassageStore,
    private vectorIndex: VectorIndex,
    private readonly options: KnowledgeBaseOptions,
  ) {}

  static async open(options: KnowledgeBaseOptions = {}): Promise<KnowledgeBase> {
    const name = options.name ?? options.backend?.name ?? 'default';
    // Not `typeof indexedDB`: in Node the HNSW loader may have installed an in-memory one for IDBFS.
    const backend = options.backend ?? (hadIndexedDb ? new IdbBackend(name) : new MemoryBackend(name));
    const store = await PassageStore.open(backend, options);
    const { index, rebuilt } = await restoreIndex(store, options);
    const kb = new KnowledgeBase(store, index, options);
    if (rebuilt) await kb.exclusive(() => kb.applyAndCommit(() => undefined, {}));
    return kb;
  }

  get name(): string {
    return this.store.name;
  }

  get dimension(): number {
    return this.store.dimension;
  }

  /** Live passages (committed, not removed). */
  get size(): number {
    return this.store.count;
  }

  get manifest(): Readonly<KnowledgeBaseManifest> {
    return this.store.manifest;
  }

  get index(): VectorIndex {
    return this.vectorIndex;
  }

  async search(queries: Float32Array, k: number): Promise<SearchResult> {
    if (this.size === 0) throw new EmptyKnowledgeBaseError(this.name);
    if (Number.isInteger(k) && k > this.size) throw new NotEnoughPassagesError(k, this.size);
    if (queries.length % this.dimension !== 0) {
      throw new ShapeError(`search: ${queries.length} query values are not a multiple of the dimension ${this.dimension}`);
    }
    return this.vectorIndex.search(queries, k);
  }

  getPassages(ids: readonly number[]): Promise<StoredPassage[]> {
    return this.store.getPassages(ids);
  }

  async count(): Promise<number> {
    return this.size;
  }

  async topPassages(queries: Float32Array, k: number): Promise<ScoredPassages> {
    const { ids, scores } = await this.search(queries, k);
    return { ids, scores, passages: await this.getPassages(Array.from(ids)) };
  }

  /** Adds passages (ingest.ts), as the only writer of this knowledge base while it runs. */
  ingest(source: IngestSource, options?: IngestOptions): Promise<IngestResult> {
    return this.exclusive(() => ingest(this, source, options));
  }

  /** Removes passages for good: gone from the index and from storage, ids never reused. */
  remove(ids: readonly number[]): Promise<void> {
    return this.exclusive(async () => {
      const unique = [...new Set(ids)];
      const passages = await this.store.getPassages(unique);
      await this.applyAndCommit((index) => index.remove(unique), { removed: passages });
    });
  }

  /**
   * Runs `fn` as the one writer (the back-end's lock: Web Locks across tabs), on what is stored
   * now: another tab's commits since this one last looked are read first, index included.
   */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.store.backend.exclusive(async () => {
      if (await this.store.reload()) {
        this.vectorIndex.dispose();
        this.vectorIndex = (await restoreIndex(this.store, this.options)).index;
      }
      return fn();
    });
  }

  /**
   * Applies `mutate` to the index, then commits `changes` with the serialized index (HNSW).
   * On failure the in-memory index is rebuilt from what is committed, so it never serves
   * passages the manifest does not list. Callers hold the write lock (`exclusive`).
   */
  async applyAndCommit(mutate: (index: VectorIndex) => Promise<void> | void, changes: CommitChanges): Promise<void> {
    try {
      await mutate(this.vectorIndex);
      const full: CommitChanges = { ...changes };
      const ix = this.vectorIndex;
      if (ix instanceof HnswIndex) {
        full.index = { bytes: await ix.serialize(), params: { ...ix.params, efSearch: ix.efSearch }, count: ix.size };
      } else if (this.store.manifest.index) {
        full.index = null;
      }
      await this.store.commit(full);
    } catch (err) {
      this.vectorIndex.dispose();
      this.vectorIndex = (await restoreIndex(this.store, this.options)).index;
      throw err;
    }
  }

  verify(): Promise<{ ok: boolean; problems: string[] }> {
    return this.store.verify();
  }

  async close(): Promise<void> {
    this.vectorIndex.dispose();
    await this.store.close();
  }

  /** Deletes the stored knowledge base (all passages, index and manifest). */
  async destroy(): Promise<void> {
    this.vectorIndex.dispose();
    await this.store.backend.destroy();
  }
}

/** The index for what the manifest lists: the stored graph if it checks out, else built from the stored embeddings. */
async function restoreIndex(store: PassageStore, options: KnowledgeBaseOptions): Promise<{ index: VectorIndex; rebuilt: boolean }> {
  const d = store.dimension;
  if (options.index === 'exact') {
    const index = new ExactIndex(d, options.device ?? null);
    await addStored(store, index);
    return { index, rebuilt: false };
  }
  const entry = store.manifest.index;
  if (entry) {
    try {
      const bytes = await store.readIndexBlob();
      const params = { ...entry.params, ...(options.hnsw?.efSearch !== undefined ? { efSearch: options.hnsw.efSearch } : {}) };
      const index = await HnswIndex.deserialize(bytes!, d, params);
      if (index.size === store.count) return { index, rebuilt: false };
      index.dispose();
    } catch (err) {
      if (!(err instanceof KnowledgeBaseCorruptError)) throw err;
    }
  }
  const index = await HnswIndex.create(d, { ...(entry?.params ?? {}), ...options.hnsw }, Math.max(1024, store.count));
  await addStored(store, index);
  return { index, rebuilt: store.count > 0 || entry !== null };
}

async function addStored(store: PassageStore, index: VectorIndex): Promise<void> {
  const d = store.dimension;
  for await (const batch of store.passages()) {
    if (batch.length === 0) continue;
    const flat = new Float32Array(batch.length * d);
    batch.forEach((p, j) => flat.set(p.embedding, j * d));
    index.add(
      batch.map((p) => p.id),
      flat,
    );
  }
}

import { IdbBackend, KnowledgeBase, loadKnowledgeBase, type IngestCheckpoint, type KnowledgeBaseManifest } from '@rag-web/retriever';
import { DEFAULT_MODEL } from '../default-model.js';
import type { KnowledgeBaseSummary } from './engine.js';
import { DemoInputError } from './errors.js';

/**
 * Knowledge-base folders shipped in public/ (built by demo/scripts/build-kb.mjs), each with the
 * model whose context encoder embedded it. One is copied into IndexedDB the first time its model
 * loads; after that only its manifest.json is fetched (a changed folder replaces the shipped
 * passages), and offline the stored copy opens as it is. Documents a user added are kept.
 */
export const BUNDLED_KNOWLEDGE_BASES: ReadonlyArray<{ name: string; url: string; modelUrl: string }> = [
  { ...DEFAULT_MODEL.knowledgeBase, modelUrl: DEFAULT_MODEL.modelUrl },
  // The parity fixture, still loadable by URL (?model=/models/tiny-a&dtype=fp32): the e2e tests use it.
  { name: 'tiny-a', url: '/kb/tiny-a/', modelUrl: '/models/tiny-a' },
];

/** IdbBackend's database names: `rag-web-kb:<name>`. */
const DB_PREFIX = 'rag-web-kb:';
const VALID_NAME = /^[A-Za-z0-9][\w .-]{0,63}$/;

/** The knowledge bases in this origin's IndexedDB, each opened at most once per worker. */
export class KnowledgeBaseCatalog {
  private readonly opened = new Map<string, Promise<KnowledgeBase>>();

  /** Opens the bundled folders of this model from IndexedDB, copying or updating them there first where needed. */
  async seedBundled(modelUrl: string, signal?: AbortSignal): Promise<void> {
    for (const { name, url } of BUNDLED_KNOWLEDGE_BASES.filter((b) => b.modelUrl === modelUrl)) {
      if (this.opened.has(name)) continue;
      this.remember(name, loadKnowledgeBase(url, { name, ...(signal ? { signal } : {}) }));
      await this.opened.get(name);
    }
  }

  /** An existing knowledge base, opened from IndexedDB. */
  async get(name: string): Promise<KnowledgeBase> {
    const open = this.opened.get(name);
    if (open) return open;
    if (!(await this.readManifest(name))) throw new DemoInputError(`There is no knowledge base named "${name}".`, { name });
    return this.remember(name, KnowledgeBase.open({ backend: new IdbBackend(name) }));
  }

  /** The named knowledge base, created empty (for `dimension`, embeddings of `modelId`) if it does not exist. */
  async getOrCreate(name: string, dimension: number, modelId: string): Promise<KnowledgeBase> {
    if (this.opened.has(name) || (await this.readManifest(name))) return this.get(name);
    if (!VALID_NAME.test(name)) {
      throw new DemoInputError(`"${name}" is not a usable name: use 1–64 letters, digits, spaces, ".", "-" or "_", starting with a letter or digit.`, { name });
    }
    return this.remember(name, KnowledgeBase.open({ backend: new IdbBackend(name), dimension, modelId }));
  }

  async list(): Promise<KnowledgeBaseSummary[]> {
    const out: KnowledgeBaseSummary[] = [];
    for (const name of [...(await this.storedNames())].sort()) {
      const open = this.opened.get(name);
      const kb = open ? await open : undefined;
      // The committed manifest only: listing must not deserialize every index.
      const manifest = kb ? kb.manifest : await this.readManifest(name);
      // Never committed (generation 0: created in memory by an ingest that did not finish).
      if (!manifest || manifest.generation === 0) {
        const checkpoint = kb ? await kb.store.readCheckpoint() : await this.readStored<IngestCheckpoint>(name, 'ingest-checkpoint');
        out.push({ name, count: 0, dimension: 0, modelId: checkpoint?.modelId ?? '', bundled: false, unfinished: { pending: checkpoint?.done ?? 0 } });
        continue;
      }
      out.push({
        name,
        count: manifest.count,
        dimension: manifest.dimension,
        modelId: manifest.modelId,
        bundled: BUNDLED_KNOWLEDGE_BASES.some((b) => b.name === name),
      });
    }
    return out;
  }

  async delete(name: string): Promise<void> {
    const open = this.opened.get(name);
    this.opened.delete(name);
    if (open) await (await open).destroy();
    else await new IdbBackend(name).destroy();
  }

  /** Keeps the pending open; a failed one is forgotten so the next call tries again. */
  private remember(name: string, kb: Promise<KnowledgeBase>): Promise<KnowledgeBase> {
    this.opened.set(name, kb);
    kb.catch(() => this.opened.delete(name));
    return kb;
  }

  /** The stored manifest, through a short-lived connection (one left open would block deleting the database). */
  private readManifest(name: string): Promise<KnowledgeBaseManifest | undefined> {
    return this.readStored<KnowledgeBaseManifest>(name, 'manifest');
  }

  private async readStored<T>(name: string, key: string): Promise<T | undefined> {
    if (!(await this.storedNames()).has(name)) return undefined;
    const backend = new IdbBackend(name);
    try {
      return await backend.get<T>(key);
    } finally {
      await backend.close();
    }
  }

  /** Names of the IndexedDB databases of knowledge bases (constructing an IdbBackend would create one). */
  private async storedNames(): Promise<Set<string>> {
    const dbs = await indexedDB.databases();
    return new Set(dbs.flatMap((db) => (db.name?.startsWith(DB_PREFIX) ? [db.name.slice(DB_PREFIX.length)] : [])));
  }
}

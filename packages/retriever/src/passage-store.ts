import { RagConfigError, type StoredPassage } from '@rag-web/core';
import { EMPTY_CHECKSUM, checksumOf, passageChecksum, xorChecksums } from './checksum.js';
import { KnowledgeBaseCorruptError, StorageQuotaError, UnknownPassageError } from './errors.js';
import { checkDimension, emptyManifest, parseManifest, type HnswParams, type KnowledgeBaseManifest, type ShippedPassages } from './manifest.js';
import type { StoreBackend, WriteOps } from './store-backend.js';

/**
 * Progress of an ingest that has not been committed yet, written in the same transaction as each
 * batch of passages, so that after a crash it says exactly which passages are already stored.
 */
export interface IngestCheckpoint {
  /** Identifies the ingest's input (see ingest.ts); a resume must present the same input. */
  fingerprint: string;
  modelId: string;
  /** The first doc id of this ingest (= the manifest's `nextId` when it started). */
  startId: number;
  total: number;
  /** Passages `[startId, startId + done)` are stored. */
  done: number;
  /** XOR of the stored passages' checksums. */
  checksum: string;
}

export interface CommitChanges {
  /** Passages `[manifest.nextId, nextId)` become live (they must have been written by writeBatch). */
  nextId?: number;
  addedChecksum?: string;
  /** Passages to remove: deleted from storage in the same transaction as the manifest. */
  removed?: StoredPassage[];
  /** Ids to list as deleted that were never stored (a folder import with gaps). */
  deletedIds?: number[];
  modelId?: string;
  /** A new serialized index; `null` drops the stored one; absent keeps it. */
  index?: { bytes: Uint8Array; params: HnswParams; count: number } | null;
  clearCheckpoint?: boolean;
  /** The committing ingest's checkpoint fingerprint: the commit lands only while it is still stored. */
  checkpointFingerprint?: string;
  /** Records (replaces) the manifest's `encoderProbe`. */
  encoderProbe?: number[];
  /** Records (replaces) which passages came from a shipped folder (kb-folder.ts). */
  shipped?: ShippedPassages;
}

const MANIFEST_KEY = 'manifest';
const CHECKPOINT_KEY = 'ingest-checkpoint';
const INDEX_PREFIX = 'index:';
/** Upper bound of doc-id keys, for "every id from here on" ranges. */
const MAX_ID = Number.MAX_SAFE_INTEGER;

/**
 * The persistence of one knowledge base over a StoreBackend.
 *
 * Write protocol (crash-safe at every step; the manifest is the commit point):
 * 1. `writeBatch`: passages plus the ingest checkpoint, one transaction per batch;
 * 2. `commit`: the serialized index under a fresh key, then one transaction that writes the
 *    manifest, drops the checkpoint, deletes removed passages and the previous index blob.
 * Passages with ids ≥ `manifest.nextId` and index blobs the manifest does not name are
 * invisible: readers only follow the manifest.
 */
export class PassageStore {
  private constructor(
    readonly backend: StoreBackend,
    private current: KnowledgeBaseManifest,
    private deleted: Set<number>,
  ) {}

  /**
   * Opens (or, with `dimension` given and nothing stored, creates in memory until the first commit)
   * the knowledge base behind `backend`. `dimension` must match a stored manifest's.
   */
  static async open(backend: StoreBackend, options: { dimension?: number; modelId?: string } = {}): Promise<PassageStore> {
    const raw = await backend.get<unknown>(MANIFEST_KEY);
    let manifest: KnowledgeBaseManifest;
    if (raw === undefined) {
      if (options.dimension === undefined) {
        throw new RagConfigError(`Knowledge base "${backend.name}" does not exist yet; give its embedding dimension to create it.`, {
          name: backend.name,
        });
      }
      manifest = emptyManifest(options.dimension, options.modelId ?? '');
    } else {
      manifest = parseManifest(raw, `knowledge base "${backend.name}"`);
      checkDimension(manifest, options.dimension, `opening knowledge base "${backend.name}"`);
    }
    return new PassageStore(backend, manifest, new Set(manifest.deletedIds));
  }

  get name(): string {
    return this.backend.name;
  }

  /** Rereads the stored manifest (another writer may have committed); true if it changed. */
  async reload(): Promise<boolean> {
    const raw = await this.backend.get<unknown>(MANIFEST_KEY);
    if (raw === undefined) return false;
    const manifest = parseManifest(raw, `knowledge base "${this.backend.name}"`);
    if (manifest.generation === this.current.generation) return false;
    checkDimension(manifest, this.current.dimension, `reopening knowledge base "${this.backend.name}"`);
    this.current = manifest;
    this.deleted = new Set(manifest.deletedIds);
    return true;
  }

  /** The write lands only on the manifest this store read (a stored one is generation ≥ 1). */
  private expectManifest(): NonNullable<WriteOps['expect']> {
    return [{ key: MANIFEST_KEY, field: 'generation', equals: this.current.generation === 0 ? undefined : this.current.generation }];
  }

  get manifest(): Readonly<KnowledgeBaseManifest> {
    return this.current;
  }

  get count(): number {
    return this.current.count;
  }

  get dimension(): number {
    return this.current.dimension;
  }

  isLive(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.current.nextId && !this.deleted.has(id);
  }

  /** Live passages by id, in the order asked. UnknownPassageError for an id that is not live; a live one missing means storage lost data. */
  async getPassages(ids: readonly number[]): Promise<StoredPassage[]> {
    for (const id of ids) {
      if (!this.isLive(id)) throw new UnknownPassageError(id, this.name);
    }
    const got = await this.backend.getMany<StoredPassage>([...ids]);
    return got.map((p, i) => {
      if (!p) throw new KnowledgeBaseCorruptError(`Passage ${ids[i]} is listed by the manifest of "${this.name}" but not stored.`, { id: ids[i] });
      return p;
    });
  }

  /** Every live passage in id order, `batchSize` ids at a time (deleted and uncommitted ones skipped). */
  async *passages(batchSize = 2048): AsyncGenerator<StoredPassage[]> {
    for (let from = 0; from < this.current.nextId; from += batchSize) {
      const to = Math.min(from + batchSize, this.current.nextId);
      const batch = (await this.backend.getIdRange<StoredPassage>(from, to)).filter((p) => !this.deleted.has(p.id));
      yield batch;
    }
  }

  /** Passages `[from, to)` written by an uncommitted ingest (to resume it without re-embedding). */
  async pendingPassages(from: number, to: number): Promise<StoredPassage[]> {
    return this.backend.getIdRange<StoredPassage>(from, to);
  }

  readCheckpoint(): Promise<IngestCheckpoint | undefined> {
    return this.backend.get<IngestCheckpoint>(CHECKPOINT_KEY);
  }

  /**
   * Stores one batch of not-yet-committed passages together with the ingest's checkpoint, in one
   * transaction. `fresh` also clears leftovers of an abandoned ingest (ids ≥ the checkpoint's start).
   */
  async writeBatch(passages: StoredPassage[], checkpoint: IngestCheckpoint, fresh = false): Promise<void> {
    // A later batch lands only while the checkpoint is still this ingest's: a second writer's
    // fresh start (which clears pending passages) then fails this one instead of mixing the two.
    const expect = fresh ? this.expectManifest() : [...this.expectManifest(), { key: CHECKPOINT_KEY, field: 'fingerprint', equals: checkpoint.fingerprint }];
    const ops: WriteOps = { put: [...passages.map((p) => [p.id, p] as [number, StoredPassage]), [CHECKPOINT_KEY, checkpoint]], expect };
    if (fresh) ops.delIdRange = { from: checkpoint.startId, to: MAX_ID };
    await this.write(ops, `storing passages ${passages[0]?.id ?? checkpoint.startId}…${checkpoint.startId + checkpoint.done - 1}`);
  }

  /** The serialized index the manifest names, checked against its length and checksum. */
  async readIndexBlob(): Promise<Uint8Array | null> {
    const entry = this.current.index;
    if (!entry) return null;
    const bytes = await this.backend.get<Uint8Array>(entry.name);
    if (!bytes || bytes.byteLength !== entry.byteLength || checksumOf([bytes]) !== entry.checksum) {
      throw new KnowledgeBaseCorruptError(`The stored index "${entry.name}" of "${this.name}" is missing or does not match its manifest.`, {
        name: entry.name,
      });
    }
    return bytes;
  }

  /** Makes changes visible: index blob first, then the manifest (with its deletions) in one transaction. */
  async commit(changes: CommitChanges): Promise<KnowledgeBaseManifest> {
    const prev = this.current;
    const generation = prev.generation + 1;
    const removed = changes.removed ?? [];
    let checksum = xorChecksums(prev.checksum, changes.addedChecksum ?? EMPTY_CHECKSUM);
    for (const p of removed) checksum = xorChecksums(checksum, passageChecksum(p.id, p.title, p.text, p.embedding));
    const newlyDeleted = [...(changes.deletedIds ?? []), ...removed.map((p) => p.id)];
    const deletedIds = newlyDeleted.length ? [...new Set([...prev.deletedIds, ...newlyDeleted])].sort((a, b) => a - b) : prev.deletedIds;
    const nextId = changes.nextId ?? prev.nextId;

    let index = prev.index;
    const expect = this.expectManifest();
    if (changes.checkpointFingerprint !== undefined) expect.push({ key: CHECKPOINT_KEY, field: 'fingerprint', equals: changes.checkpointFingerprint });
    const ops: WriteOps = { put: [], del: removed.map((p) => p.id), expect };
    if (changes.index !== undefined) {
      if (prev.index) ops.del!.push(prev.index.name);
      index = null;
      if (changes.index) {
        // Unique per writer: a concurrent writer's blob of the same generation cannot replace this one.
        const name = `${INDEX_PREFIX}${generation}:${Math.random().toString(36).slice(2, 10)}`;
        const { bytes, params, count } = changes.index;
        await this.write({ put: [[name, bytes]] }, 'storing the search index');
        index = { kind: 'hnsw', name, byteLength: bytes.byteLength, checksum: checksumOf([bytes]), params, count };
      }
    }
    const next: KnowledgeBaseManifest = {
      ...prev,
      nextId,
      deletedIds,
      count: nextId - deletedIds.length,
      modelId: changes.modelId ?? prev.modelId,
      ...(changes.encoderProbe ? { encoderProbe: changes.encoderProbe } : {}),
      ...(changes.shipped ? { shipped: changes.shipped } : {}),
      checksum,
      index,
      generation,
      updatedAt: new Date().toISOString(),
    };
    ops.put!.push([MANIFEST_KEY, next]);
    if (changes.clearCheckpoint) ops.del!.push(CHECKPOINT_KEY);
    await this.write(ops, 'committing the manifest');
    this.current = next;
    this.deleted = new Set(deletedIds);
    return next;
  }

  /**
   * Rereads every live passage and checks it against the manifest (count, ids, checksum) and the
   * index blob. Costs a full read; meant for tests and repair tools.
   */
  async verify(): Promise<{ ok: boolean; problems: string[] }> {
    const problems: string[] = [];
    let checksum = EMPTY_CHECKSUM;
    let count = 0;
    for await (const batch of this.passages()) {
      for (const p of batch) {
        count++;
        if (p.embedding.length !== this.dimension) problems.push(`passage ${p.id}: embedding of length ${p.embedding.length}`);
        checksum = xorChecksums(checksum, passageChecksum(p.id, p.title, p.text, p.embedding));
      }
    }
    if (count !== this.count) problems.push(`${count} passages stored below nextId, manifest says ${this.count}`);
    if (checksum !== this.current.checksum) problems.push(`checksum ${checksum}, manifest says ${this.current.checksum}`);
    try {
      await this.readIndexBlob();
    } catch (err) {
      problems.push((err as Error).message);
    }
    return { ok: problems.length === 0, problems };
  }

  close(): Promise<void> {
    return this.backend.close();
  }

  /** One atomic backend write; IndexedDB's QuotaExceededError becomes StorageQuotaError. */
  private async write(ops: WriteOps, what: string): Promise<void> {
    try {
      await this.backend.write(ops);
    } catch (err) {
      if (isQuotaError(err)) throw new StorageQuotaError(what, err);
      throw err;
    }
  }
}

function isQuotaError(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

import { createStore, get, getMany, promisifyRequest, type UseStore } from 'idb-keyval';
import { KnowledgeBaseConflictError } from './errors.js';

/**
 * Key–value back-ends under a passage store. Passages live under numeric keys (their doc ids,
 * so id ranges can be counted and read in order); bookkeeping lives under string keys.
 * `write` is atomic: every put and delete of one call lands, or none does (one IndexedDB
 * transaction). Values are copied on the way in and out, as IndexedDB's structured clone does.
 */
export type StoreKey = number | string;

export interface WriteOps {
  put?: Array<[StoreKey, unknown]>;
  del?: StoreKey[];
  /** Deletes every numeric key in `[from, to)`. */
  delIdRange?: { from: number; to: number };
  /**
   * Checked in the same transaction, before anything is written: each record's `field` equals
   * `equals` (an absent record's fields are undefined). Otherwise nothing is written and the
   * write throws KnowledgeBaseConflictError: another writer got there first.
   */
  expect?: Array<{ key: StoreKey; field: string; equals: unknown }>;
}

export interface StoreBackend {
  /** The knowledge base's name (also the IndexedDB database's suffix). */
  readonly name: string;
  get<T>(key: StoreKey): Promise<T | undefined>;
  getMany<T>(keys: StoreKey[]): Promise<Array<T | undefined>>;
  /** Values under numeric keys in `[from, to)`, ascending. */
  getIdRange<T>(from: number, to: number): Promise<T[]>;
  countIdRange(from: number, to: number): Promise<number>;
  write(ops: WriteOps): Promise<void>;
  /**
   * Runs `fn` as the only writer of this knowledge base: across tabs and workers with the Web
   * Locks API, within this JavaScript realm where it is missing (then `expect` still turns a
   * concurrent write of another tab into a KnowledgeBaseConflictError, never a silent overwrite).
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Releases the connection; the back-end is unusable afterwards, the data stays. */
  close(): Promise<void>;
  /** Deletes everything stored under this name. */
  destroy(): Promise<void>;
}

/** In-memory back-end: for Node, tests, and knowledge bases loaded from a URL that need no persistence. */
export class MemoryBackend implements StoreBackend {
  private readonly data = new Map<StoreKey, unknown>();

  constructor(readonly name = 'memory') {}

  async get<T>(key: StoreKey): Promise<T | undefined> {
    return this.data.has(key) ? structuredClone(this.data.get(key) as T) : undefined;
  }

  async getMany<T>(keys: StoreKey[]): Promise<Array<T | undefined>> {
    return Promise.all(keys.map((k) => this.get<T>(k)));
  }

  async getIdRange<T>(from: number, to: number): Promise<T[]> {
    return this.idKeys(from, to).map((k) => structuredClone(this.data.get(k) as T));
  }

  async countIdRange(from: number, to: number): Promise<number> {
    return this.idKeys(from, to).length;
  }

  async write(ops: WriteOps): Promise<void> {
    checkExpected(this.name, ops.expect, (key) => this.data.get(key));
    // Clone everything first: a value that cannot be cloned fails the whole write, as in IDB.
    const puts = (ops.put ?? []).map(([k, v]) => [k, structuredClone(v)] as const);
    if (ops.delIdRange) for (const k of this.idKeys(ops.delIdRange.from, ops.delIdRange.to)) this.data.delete(k);
    for (const k of ops.del ?? []) this.data.delete(k);
    for (const [k, v] of puts) this.data.set(k, v);
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return localLock(`memory:${this.name}`, fn);
  }

  async close(): Promise<void> {}

  async destroy(): Promise<void> {
    this.data.clear();
  }

  private idKeys(from: number, to: number): number[] {
    const out: number[] = [];
    for (const k of this.data.keys()) if (typeof k === 'number' && k >= from && k < to) out.push(k);
    return out.sort((a, b) => a - b);
  }
}

/** IndexedDB back-end over idb-keyval: database `rag-web-kb:<name>`, one object store `kb`. */
export class IdbBackend implements StoreBackend {
  readonly dbName: string;
  private readonly useStore: UseStore;

  constructor(readonly name: string) {
    this.dbName = `rag-web-kb:${name}`;
    this.useStore = createStore(this.dbName, 'kb');
  }

  get<T>(key: StoreKey): Promise<T | undefined> {
    return get<T>(key, this.useStore);
  }

  getMany<T>(keys: StoreKey[]): Promise<Array<T | undefined>> {
    return getMany<T>(keys, this.useStore);
  }

  getIdRange<T>(from: number, to: number): Promise<T[]> {
    if (to <= from) return Promise.resolve([]);
    return this.useStore('readonly', (store) => promisifyRequest(store.getAll(IDBKeyRange.bound(from, to, false, true)) as IDBRequest<T[]>));
  }

  countIdRange(from: number, to: number): Promise<number> {
    if (to <= from) return Promise.resolve(0);
    return this.useStore('readonly', (store) => promisifyRequest(store.count(IDBKeyRange.bound(from, to, false, true))));
  }

  write(ops: WriteOps): Promise<void> {
    return this.useStore('readwrite', async (store) => {
      const expect = ops.expect ?? [];
      // Reads in the write's own transaction: no other writer can land between check and write.
      const found = await Promise.all(expect.map((e) => promisifyRequest(store.get(e.key) as IDBRequest<unknown>)));
      try {
        checkExpected(this.name, expect, (key) => found[expect.findIndex((e) => e.key === key)]);
        if (ops.delIdRange && ops.delIdRange.to > ops.delIdRange.from) {
          store.delete(IDBKeyRange.bound(ops.delIdRange.from, ops.delIdRange.to, false, true));
        }
        for (const k of ops.del ?? []) store.delete(k);
        for (const [k, v] of ops.put ?? []) this.putRecord(store, k, v);
      } catch (err) {
        // A put that throws synchronously (DataCloneError, quota) must not leave the rest committed.
        store.transaction.abort();
        throw err;
      }
      return promisifyRequest(store.transaction);
    });
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
    return locks ? (locks.request(this.dbName, { mode: 'exclusive' }, fn) as Promise<T>) : localLock(this.dbName, fn);
  }

  async close(): Promise<void> {
    await this.useStore('readonly', (store) => store.transaction.db.close());
  }

  async destroy(): Promise<void> {
    await this.close();
    await promisifyRequest(indexedDB.deleteDatabase(this.dbName));
  }

  /** The one place a record enters IndexedDB (a seam for tests that simulate failing writes). */
  protected putRecord(store: IDBObjectStore, key: StoreKey, value: unknown): void {
    store.put(value, key);
  }
}

function checkExpected(name: string, expect: WriteOps['expect'], read: (key: StoreKey) => unknown): void {
  for (const e of expect ?? []) {
    const actual = (read(e.key) as Record<string, unknown> | undefined)?.[e.field];
    if (actual !== e.equals) throw new KnowledgeBaseConflictError(name, `${String(e.key)}.${e.field}`, e.equals, actual);
  }
}

const held = new Map<string, Promise<unknown>>();

/** One writer at a time per name within this realm (where the Web Locks API is missing). */
function localLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const before = held.get(name) ?? Promise.resolve();
  const run = before.then(fn, fn);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  held.set(name, settled);
  void settled.then(() => {
    if (held.get(name) === settled) held.delete(name);
  });
  return run;
}

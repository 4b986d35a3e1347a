import {
  EmbeddingDimensionError,
  EmptyKnowledgeBaseError,
  NotEnoughPassagesError,
  RagConfigError,
  ShapeError,
  UnknownPassageError,
  assertFiniteEmbeddings,
  checkModelId,
  type PassageSource,
  type ScoredPassages,
  type StoredPassage,
} from '@rag-web/core';
import pg from 'pg';
import { PgKnowledgeBaseConflictError, PgKnowledgeBaseCorruptError, PgVectorMissingError, asPostgresError, isConnectionError } from './errors.js';
import { ingestPassages, type PgIngestOptions, type PgIngestResult, type PgIngestRow } from './ingest.js';
import {
  MANIFEST_COLUMNS,
  MAX_HNSW_DIMENSION,
  PG_HNSW_DEFAULTS,
  checkDimension,
  checkHnswParams,
  createHnswIndexSql,
  createTablesSql,
  manifestOf,
  tableNames,
  type ManifestRow,
  type PgHnswParams,
  type PgIngestCheckpoint,
  type PgManifest,
  type TableNames,
} from './schema.js';
import { vectorFromSql, vectorToSql } from './vector-text.js';

export interface PgKnowledgeBaseOptions {
  /** Names the tables: `<name>_passages`, `<name>_manifest` (a lower-case identifier, quoted). Default 'rag'. */
  name?: string;
  /** Required to create; checked against an existing one (EmbeddingDimensionError). */
  dimension?: number;
  /** Recorded when creating; checked against an existing one's with core's checkModelId (EmbeddingModelError). */
  modelId?: string;
  /** 'hnsw' (default): search through the HNSW index (vector_ip_ops); 'exact': `ORDER BY embedding <#> $1, id`. */
  index?: 'hnsw' | 'exact';
  /** pgvector's defaults (PG_HNSW_DEFAULTS: 16 / 64 / 40). `m` and `efConstruction` are recorded at creation; `efSearch` applies to this connection. */
  hnsw?: Partial<PgHnswParams>;
  /** Connection pool size when given a connection string (default 10). */
  maxConnections?: number;
  /** How long to wait for a connection before PostgresUnavailableError (default 10 s). */
  connectionTimeoutMillis?: number;
}

export interface PgSearchResult {
  ids: Int32Array;
  /** Inner products `query · passage`, non-increasing along each row. */
  scores: Float32Array;
}

interface SearchRow {
  id: number;
  distance: number;
  title?: string;
  text?: string;
  embedding?: string;
}

/** pgvector's HNSW scan returns at most `hnsw.ef_search` rows, which it caps at 1000: above that only exact search returns k. */
const MAX_EF_SEARCH = 1000;
const MAX_DOC_ID = 2 ** 31 - 1;

/**
 * A knowledge base in Postgres with pgvector, behind core's PassageSource: any Postgres ≥ 15 with
 * the extension (`CREATE EXTENSION vector`). Passages carry doc ids `0…nextId−1` in ingest order;
 * only ids below the committed manifest's `next_id` are ever read, and every ingest batch is one
 * transaction that updates the manifest row last (see README: consistency model).
 */
export class PgKnowledgeBase implements PassageSource {
  private current: PgManifest;
  private readonly efSearch: number;
  private writing: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly ownsPool: boolean,
    readonly name: string,
    /** `host:port` of the server, for error messages. */
    readonly address: string,
    private readonly tables: TableNames,
    manifest: PgManifest,
    readonly index: 'hnsw' | 'exact',
    efSearch: number | undefined,
  ) {
    this.current = manifest;
    this.efSearch = efSearch ?? manifest.hnsw.efSearch;
  }

  /**
   * Connects (a connection string gets a pool of its own, which `close` ends; a given pool stays
   * the caller's), creates the extension and tables when missing, and reads the manifest.
   */
  static async open(connection: string | pg.Pool, options: PgKnowledgeBaseOptions = {}): Promise<PgKnowledgeBase> {
    const name = options.name ?? 'rag';
    const tables = tableNames(name);
    if (options.dimension !== undefined) checkDimension(options.dimension);
    const index = options.index ?? 'hnsw';
    if (index !== 'hnsw' && index !== 'exact') throw new RagConfigError(`index must be 'hnsw' or 'exact', got ${JSON.stringify(index)}`, { index });
    const hnsw = Object.fromEntries(Object.entries(options.hnsw ?? {}).filter(([, v]) => v !== undefined)) as Partial<PgHnswParams>;
    checkHnswParams(hnsw);
    const max = options.maxConnections ?? 10;
    if (!Number.isInteger(max) || max < 1) throw new RagConfigError(`maxConnections must be a positive integer, got ${max}`, { maxConnections: max });
    const ownsPool = typeof connection === 'string';
    const pool = ownsPool
      ? new pg.Pool({ connectionString: connection, max, connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000 })
      : connection;
    // An idle client whose server went away is dropped by the pool; the next statement reports it.
    if (ownsPool) pool.on('error', () => undefined);
    const address = addressOf(ownsPool ? connection : pool.options);
    try {
      const manifest = await withClient(pool, address, `opening knowledge base "${name}"`, async (client) => {
        await ensurePgvector(client, address);
        return inTransaction(client, () => setUpTables(client, name, address, tables, options.dimension, hnsw, options.modelId));
      });
      if (index === 'hnsw' && manifest.dimension > MAX_HNSW_DIMENSION) {
        throw new RagConfigError(`pgvector's HNSW index takes vectors of at most ${MAX_HNSW_DIMENSION} dimensions, not ${manifest.dimension}; open with index: 'exact'.`, {
          dimension: manifest.dimension,
        });
      }
      return new PgKnowledgeBase(pool, ownsPool, name, address, tables, manifest, index, hnsw.efSearch);
    } catch (err) {
      if (ownsPool) await pool.end().catch(() => undefined);
      throw err;
    }
  }

  get dimension(): number {
    return this.current.dimension;
  }

  /** The manifest row as last read (by `count`, a search or an ingest). */
  get manifest(): Readonly<PgManifest> {
    return this.current;
  }

  /** Passages that can be retrieved now (reads the manifest row). */
  async count(): Promise<number> {
    return (await this.refresh()).count;
  }

  /** Reads the manifest row again. */
  async refresh(): Promise<PgManifest> {
    const rows = await this.query<ManifestRow>(`reading the manifest of "${this.name}"`, `SELECT ${MANIFEST_COLUMNS} FROM ${this.tables.manifest}`);
    if (!rows[0]) throw new PgKnowledgeBaseCorruptError(`The manifest table of knowledge base "${this.name}" holds no row.`, { name: this.name });
    this.current = manifestOf(rows[0]);
    return this.current;
  }

  /** The top-`k` passages of each of the (n × dimension) `queries`, batch-major, best first, ties to the lower id. */
  async topPassages(queries: Float32Array, k: number, options: { signal?: AbortSignal; exact?: boolean } = {}): Promise<ScoredPassages> {
    const rows = await this.searchRows(queries, k, options.exact ?? this.index === 'exact', true, options.signal);
    const passages = rows.flat().map((r) => ({ id: r.id, title: r.title!, text: r.text!, embedding: vectorFromSql(r.embedding!) }));
    return { ...scored(rows, k), passages };
  }

  /** Doc ids and scores of the top-`k` passages of each query (`exact` overrides the `index` option). */
  async search(queries: Float32Array, k: number, options: { exact?: boolean } = {}): Promise<PgSearchResult> {
    return scored(await this.searchRows(queries, k, options.exact ?? this.index === 'exact', false), k);
  }

  /** The passages with these doc ids, in this order. */
  async getPassages(ids: readonly number[]): Promise<StoredPassage[]> {
    const unknown = ids.find((id) => !Number.isInteger(id) || id < 0 || id > MAX_DOC_ID);
    if (unknown !== undefined) throw new UnknownPassageError(unknown, this.name);
    const rows = await this.query<{ id: number; title: string; text: string; embedding: string }>(
      `reading passages of "${this.name}"`,
      `SELECT id, title, text, embedding::text AS embedding FROM ${this.tables.passages} WHERE id = ANY($1::integer[]) AND id < (SELECT next_id FROM ${this.tables.manifest})`,
      [[...new Set(ids)]],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => {
      const r = byId.get(id);
      if (!r) throw new UnknownPassageError(id, this.name);
      return { id, title: r.title, text: r.text, embedding: vectorFromSql(r.embedding) };
    });
  }

  /**
   * Adds passages as the next doc ids, in batches of one transaction each (ingest.ts); calls
   * on this object run one after another. With `index: 'hnsw'` the index is built at the end
   * when it does not exist yet (later inserts update it).
   */
  ingest(rows: readonly PgIngestRow[], options?: PgIngestOptions): Promise<PgIngestResult> {
    const run = this.writing.then(() => ingestPassages(this, rows, options));
    this.writing = run.catch(() => undefined);
    return run;
  }

  /**
   * Stores `passages` (ids `manifest.nextId…`, consecutive) and updates the manifest row last, in
   * one transaction: ingest's batch write. PgKnowledgeBaseConflictError when another writer moved
   * `next_id` since the manifest was read.
   */
  async writeBatch(passages: readonly StoredPassage[], commit: { modelId: string; encoderProbe?: Float32Array; checkpoint: PgIngestCheckpoint | null }): Promise<PgManifest> {
    const firstId = this.current.nextId;
    passages.forEach((p, j) => {
      if (p.id !== firstId + j) throw new ShapeError(`writeBatch: passage ${j} has id ${p.id}, expected ${firstId + j}`, { id: p.id, expected: firstId + j });
      if (p.embedding.length !== this.dimension) throw new EmbeddingDimensionError(this.dimension, p.embedding.length, `passage ${p.id}`);
    });
    const t = this.tables;
    this.current = await withClient(this.pool, this.address, `ingesting into "${this.name}"`, (client) =>
      inTransaction(client, async () => {
        const locked = (await client.query<{ next_id: number }>(`SELECT next_id FROM ${t.manifest} FOR UPDATE`)).rows[0];
        if (!locked) throw new PgKnowledgeBaseCorruptError(`The manifest table of knowledge base "${this.name}" holds no row.`, { name: this.name });
        if (locked.next_id !== firstId) throw new PgKnowledgeBaseConflictError(this.name, firstId, locked.next_id);
        // One statement per batch: PGlite (and a remote server) pays per round trip, not per row.
        await client.query(`INSERT INTO ${t.passages} (id, title, text, embedding) SELECT * FROM unnest($1::integer[], $2::text[], $3::text[], $4::vector[])`, [
          passages.map((p) => p.id),
          passages.map((p) => p.title),
          passages.map((p) => p.text),
          passages.map((p) => vectorToSql(p.embedding)),
        ]);
        const { rows } = await client.query<ManifestRow>(
          `UPDATE ${t.manifest} SET next_id = $1, count = count + $2, generation = generation + 1, model_id = $3, ` +
            `encoder_probe = COALESCE($4::vector, encoder_probe), checkpoint = $5::jsonb, updated_at = now() RETURNING ${MANIFEST_COLUMNS}`,
          [firstId + passages.length, passages.length, commit.modelId, commit.encoderProbe ? vectorToSql(commit.encoderProbe) : null, commit.checkpoint ? JSON.stringify(commit.checkpoint) : null],
        );
        return manifestOf(rows[0]!);
      }),
    );
    return this.current;
  }

  /**
   * `CREATE INDEX IF NOT EXISTS … USING hnsw (embedding vector_ip_ops) WITH (m, ef_construction)` with
   * the manifest's parameters. pgvector builds fast only while the graph fits in
   * `maintenance_work_mem` (it then goes on from disk, many times slower): `maintenanceWorkMem`
   * (e.g. '2GB') raises it for this statement only.
   */
  async buildIndex(options: { maintenanceWorkMem?: string } = {}): Promise<void> {
    const sql = createHnswIndexSql(this.tables, this.current.hnsw);
    await withClient(this.pool, this.address, `building the HNSW index of "${this.name}"`, (client) =>
      inTransaction(client, async () => {
        if (options.maintenanceWorkMem !== undefined) await client.query("SELECT set_config('maintenance_work_mem', $1, true)", [options.maintenanceWorkMem]);
        await client.query(sql);
      }),
    );
  }

  /** Ends the pool `open` created from a connection string (a given pool stays open). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) await this.pool.end();
  }

  private async searchRows(queries: Float32Array, k: number, exact: boolean, withPassages: boolean, signal?: AbortSignal): Promise<SearchRow[][]> {
    const d = this.dimension;
    if (queries.length === 0 || queries.length % d !== 0) {
      throw new ShapeError(`search: ${queries.length} query values are not a positive multiple of the dimension ${d}`, { length: queries.length, dimension: d });
    }
    if (!Number.isInteger(k) || k < 1) throw new ShapeError(`search: k must be a positive integer, got ${k}`, { k });
    assertFiniteEmbeddings(queries, d, 'the query');
    signal?.throwIfAborted();
    const n = queries.length / d;
    // One statement per query row, concurrently on the pool.
    const rows = await Promise.all(Array.from({ length: n }, (_, q) => this.searchRow(vectorToSql(queries.subarray(q * d, (q + 1) * d)), k, exact, withPassages)));
    // Only an exact scan comes back short, and only when the table holds fewer than k: the count is read then, not on every search.
    if (rows.some((r) => r.length < k)) {
      const count = await this.count();
      if (count === 0) throw new EmptyKnowledgeBaseError(this.name);
      throw new NotEnoughPassagesError(k, count);
    }
    signal?.throwIfAborted();
    return rows;
  }

  private async searchRow(query: string, k: number, exact: boolean, withPassages: boolean): Promise<SearchRow[]> {
    const t = this.tables;
    const useIndex = !exact && k <= MAX_EF_SEARCH;
    const columns = withPassages ? 'id, title, text, embedding::text AS embedding, embedding <#> $1::vector AS distance' : 'id, embedding <#> $1::vector AS distance';
    const sql =
      `SELECT ${columns} FROM ${t.passages} WHERE id < (SELECT next_id FROM ${t.manifest}) ` +
      `ORDER BY embedding <#> $1::vector${useIndex ? '' : ', id'} LIMIT $2`;
    const rows = await withClient(this.pool, this.address, `searching "${this.name}"`, (client) =>
      inTransaction(client, async () => {
        // SET LOCAL, bound: the planner takes the HNSW index (or, for exact search, never an index) in this transaction only.
        if (useIndex) await client.query("SELECT set_config('hnsw.ef_search', $1, true), set_config('enable_seqscan', 'off', true)", [String(Math.max(this.efSearch, k))]);
        else await client.query("SELECT set_config('enable_indexscan', 'off', true)");
        return (await client.query<SearchRow>(sql, [query, k])).rows;
      }),
    );
    if (!useIndex) return rows;
    // An approximate scan can come back short (a sparse graph region): exact search then answers this row.
    if (rows.length < k) return this.searchRow(query, k, true, withPassages);
    return rows.sort((a, b) => a.distance - b.distance || a.id - b.id);
  }

  private async query<R extends object>(what: string, sql: string, values: unknown[] = []): Promise<R[]> {
    return withClient(this.pool, this.address, what, async (client) => (await client.query<R & pg.QueryResultRow>(sql, values)).rows);
  }
}

function scored(rows: SearchRow[][], k: number): PgSearchResult {
  const ids = new Int32Array(rows.length * k);
  const scores = new Float32Array(rows.length * k);
  rows.flat().forEach((r, i) => {
    ids[i] = r.id;
    // `<#>` is the negative inner product; `0 − x` rather than `−x` keeps a zero score +0.
    scores[i] = 0 - r.distance;
  });
  return { ids, scores };
}

/** `host:port` as `pg` resolves the configuration (URL, key-value string, environment defaults). */
function addressOf(config: string | pg.ClientConfig): string {
  const client = new pg.Client(config);
  return `${client.host}:${client.port}`;
}

/** Runs `fn` on a client of the pool, errors as this package's; a client whose connection broke is discarded. */
async function withClient<T>(pool: pg.Pool, address: string, what: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw asPostgresError(err, address, what);
  }
  // The pool listens for errors only on idle clients: without this one, a server that goes away
  // while this client is out would crash the process.
  const ignore = () => undefined;
  client.on('error', ignore);
  let lost = false;
  try {
    return await fn(client);
  } catch (err) {
    lost = isConnectionError(err);
    throw asPostgresError(err, address, what);
  } finally {
    if (!lost) client.off('error', ignore);
    client.release(lost);
  }
}

async function inTransaction<T>(client: pg.PoolClient, fn: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await fn();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    if (!isConnectionError(err)) await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

async function ensurePgvector(client: pg.PoolClient, address: string): Promise<void> {
  const { rows } = await client.query('SELECT extversion FROM pg_extension WHERE extname = $1', ['vector']);
  if (rows.length > 0) return;
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
  } catch (err) {
    if (isConnectionError(err)) throw err;
    // Another session may have created it at the same moment (a unique violation here).
    const again = await client.query('SELECT extversion FROM pg_extension WHERE extname = $1', ['vector']);
    if (again.rows.length === 0) throw new PgVectorMissingError(address, (err as Error).message);
  }
}

/** Creates the tables and manifest row when `dimension` is given and they are missing; returns the manifest. */
async function setUpTables(
  client: pg.PoolClient,
  name: string,
  address: string,
  t: TableNames,
  dimension: number | undefined,
  hnsw: Partial<PgHnswParams>,
  modelId: string | undefined,
): Promise<PgManifest> {
  // Two processes creating the same knowledge base at once: the second waits, then finds it.
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [t.manifest]);
  if (dimension !== undefined) {
    for (const sql of createTablesSql(t, dimension)) await client.query(sql);
    const p = { ...PG_HNSW_DEFAULTS, ...hnsw };
    await client.query(
      `INSERT INTO ${t.manifest} (dimension, model_id, count, next_id, generation, hnsw_m, hnsw_ef_construction, hnsw_ef_search, updated_at) ` +
        'VALUES ($1, $2, 0, 0, 0, $3, $4, $5, now()) ON CONFLICT (singleton) DO NOTHING',
      [dimension, modelId ?? '', p.m, p.efConstruction, p.efSearch],
    );
  }
  const exists = (await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [t.manifest])).rows[0]!.found;
  const row = exists ? (await client.query<ManifestRow>(`SELECT ${MANIFEST_COLUMNS} FROM ${t.manifest}`)).rows[0] : undefined;
  if (!exists) throw new RagConfigError(`Knowledge base "${name}" does not exist yet at ${address}; give its embedding dimension to create it.`, { name, address });
  if (!row) throw new PgKnowledgeBaseCorruptError(`The manifest table of knowledge base "${name}" holds no row.`, { name });
  const manifest = manifestOf(row);
  if (dimension !== undefined && dimension !== manifest.dimension) throw new EmbeddingDimensionError(manifest.dimension, dimension, `opening knowledge base "${name}"`);
  if (modelId && manifest.count > 0) checkModelId(manifest, modelId);
  return manifest;
}

import { RagConfigError } from '@rag-web/core';
import { vectorFromSql } from './vector-text.js';

/**
 * The tables of a knowledge base named `<name>`: `<name>_passages` (id, title, text, embedding)
 * and `<name>_manifest`, one row that says which passages are valid (ids below `next_id`), which
 * encoder made them and how far an interrupted ingest got. Writers insert passages and update
 * the manifest row last, in one transaction per batch.
 */

/** The knowledge base's HNSW parameters: `m` and `efConstruction` build the index, `efSearch` is set per query. */
export interface PgHnswParams {
  m: number;
  efConstruction: number;
  efSearch: number;
}

/** pgvector's own defaults (`m`, `ef_construction`, `hnsw.ef_search`). */
export const PG_HNSW_DEFAULTS: Readonly<PgHnswParams> = Object.freeze({ m: 16, efConstruction: 64, efSearch: 40 });

/** pgvector's limits for these parameters, and for the width of an HNSW-indexed `vector`. */
const HNSW_LIMITS: Record<keyof PgHnswParams, [number, number]> = { m: [2, 100], efConstruction: [4, 1000], efSearch: [1, 1000] };
export const MAX_DIMENSION = 16000;
export const MAX_HNSW_DIMENSION = 2000;

/** Where an ingest stands: the batches of the input with this fingerprint that are committed. */
export interface PgIngestCheckpoint {
  fingerprint: string;
  /** Doc id of the input's first passage. */
  startId: number;
  total: number;
  done: number;
}

/** The manifest row, as last read. */
export interface PgManifest {
  dimension: number;
  /** The encoder that produced the embeddings (`Embedder.modelId`); '' when unknown. */
  modelId: string;
  /** The question encoder's pooled output for ENCODER_PROBE_QUESTION (core); absent: not known. */
  encoderProbe?: number[];
  /** Passages that can be retrieved: ids `[0, nextId)`. */
  count: number;
  nextId: number;
  /** Bumped by every committed batch. */
  generation: number;
  hnsw: PgHnswParams;
  updatedAt: string;
  /** Set while an ingest is unfinished; cleared by its last batch. */
  checkpoint: PgIngestCheckpoint | null;
}

export interface ManifestRow {
  dimension: number;
  model_id: string;
  /** pgvector text, as the embeddings (float32 bits kept). */
  encoder_probe: string | null;
  count: number;
  next_id: number;
  generation: string;
  hnsw_m: number;
  hnsw_ef_construction: number;
  hnsw_ef_search: number;
  updated_at: Date;
  checkpoint: PgIngestCheckpoint | null;
}

export const MANIFEST_COLUMNS = 'dimension, model_id, encoder_probe::text AS encoder_probe, count, next_id, generation, hnsw_m, hnsw_ef_construction, hnsw_ef_search, updated_at, checkpoint';

export function manifestOf(row: ManifestRow): PgManifest {
  return {
    dimension: row.dimension,
    modelId: row.model_id,
    ...(row.encoder_probe ? { encoderProbe: Array.from(vectorFromSql(row.encoder_probe)) } : {}),
    count: row.count,
    nextId: row.next_id,
    generation: Number(row.generation),
    hnsw: { m: row.hnsw_m, efConstruction: row.hnsw_ef_construction, efSearch: row.hnsw_ef_search },
    updatedAt: row.updated_at.toISOString(),
    checkpoint: row.checkpoint,
  };
}

/** Quoted table (and index) names; `name` must be a lower-case SQL identifier, so that nothing is ever spliced but it. */
export interface TableNames {
  passages: string;
  manifest: string;
  hnswIndex: string;
}

const NAME = /^[a-z_][a-z0-9_]{0,40}$/;

export function tableNames(name: string): TableNames {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new RagConfigError(`Knowledge base name ${JSON.stringify(name)} must match ${NAME} (it names the tables <name>_passages and <name>_manifest).`, { name });
  }
  return { passages: `"${name}_passages"`, manifest: `"${name}_manifest"`, hnswIndex: `"${name}_hnsw"` };
}

export function checkHnswParams(params: Partial<PgHnswParams>): void {
  for (const [key, value] of Object.entries(params)) {
    const limits = HNSW_LIMITS[key as keyof PgHnswParams];
    if (!limits) throw new RagConfigError(`Unknown HNSW parameter ${key}; pgvector has m, efConstruction and efSearch.`, { [key]: value });
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < limits[0] || value > limits[1]) {
      throw new RagConfigError(`HNSW parameter ${key} must be an integer in [${limits[0]}, ${limits[1]}] (pgvector's limits), got ${value}`, { [key]: value });
    }
  }
}

export function checkDimension(dimension: number): void {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > MAX_DIMENSION) {
    throw new RagConfigError(`Embedding dimension must be an integer in [1, ${MAX_DIMENSION}] (pgvector's vector type), got ${dimension}`, { dimension });
  }
}

/**
 * DDL for a new knowledge base. DDL takes no bound parameters: the only values in it are the
 * validated table names and the integer `dimension` (checked by checkDimension).
 */
export function createTablesSql(t: TableNames, dimension: number): string[] {
  checkDimension(dimension);
  return [
    `CREATE TABLE IF NOT EXISTS ${t.passages} (id integer PRIMARY KEY, title text NOT NULL, text text NOT NULL, embedding vector(${dimension}) NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${t.manifest} (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      dimension integer NOT NULL, model_id text NOT NULL, encoder_probe vector,
      count integer NOT NULL, next_id integer NOT NULL, generation bigint NOT NULL,
      hnsw_m integer NOT NULL, hnsw_ef_construction integer NOT NULL, hnsw_ef_search integer NOT NULL,
      updated_at timestamptz NOT NULL, checkpoint jsonb)`,
  ];
}

/** The HNSW index over inner products (`vector_ip_ops`, as `<#>` orders). Storage parameters are validated integers. */
export function createHnswIndexSql(t: TableNames, params: PgHnswParams): string {
  checkHnswParams(params);
  return `CREATE INDEX IF NOT EXISTS ${t.hnswIndex} ON ${t.passages} USING hnsw (embedding vector_ip_ops) WITH (m = ${params.m}, ef_construction = ${params.efConstruction})`;
}

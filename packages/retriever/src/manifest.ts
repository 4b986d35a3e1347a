import { EMPTY_CHECKSUM } from './checksum.js';
import { EmbeddingDimensionError, KnowledgeBaseCorruptError } from './errors.js';

/**
 * The manifest of a knowledge base: the small record that says which stored data is valid.
 * Writers store passages first, then the index blob, then the manifest, so a crash at any point
 * leaves the previous manifest pointing at data that is still there and consistent.
 * The same object (plus file names) is `manifest.json` in a knowledge-base folder.
 */

export const MANIFEST_SCHEMA_VERSION = 1;

export interface HnswParams {
  /** Graph degree (hnswlib `M`). */
  m: number;
  efConstruction: number;
  efSearch: number;
  /** hnswlib's random seed for level assignment. */
  randomSeed: number;
}

/** Where the serialized HNSW graph lives (an IndexedDB key or a file name) and how to check it. */
export interface IndexEntry {
  kind: 'hnsw';
  name: string;
  byteLength: number;
  checksum: string;
  params: HnswParams;
  /** Passages the graph holds (deleted ones excluded). */
  count: number;
}

export interface KnowledgeBaseManifest {
  schemaVersion: typeof MANIFEST_SCHEMA_VERSION;
  dimension: number;
  /** Live passages: `nextId − deletedIds.length`. */
  count: number;
  /** Doc ids `[0, nextId)` have been handed out; a passage's id never changes nor is reused. */
  nextId: number;
  /** Removed ids, ascending. */
  deletedIds: number[];
  /** The encoder that produced the embeddings (`Embedder.modelId`); '' when unknown. */
  modelId: string;
  /** XOR of the live passages' checksums (see checksum.ts). */
  checksum: string;
  index: IndexEntry | null;
  /** Bumped by every committed write. */
  generation: number;
  updatedAt: string;
  /**
   * The question encoder's pooled output for ENCODER_PROBE_QUESTION, recorded by a writer that
   * had the whole model (`rag index --model`): at retrieval, a model whose question encoder gives
   * another vector is another model, however equal its width. Absent: not known.
   */
  encoderProbe?: number[];
  /**
   * Set by `loadKnowledgeBase`: the passages that came from a shipped folder are ids
   * `[from, to)` (folder id + `from`), of the folder whose manifest checksum is `checksum`.
   * Every other live passage was added later (by `ingest`) and survives an update of the folder.
   */
  shipped?: ShippedPassages;
}

export interface ShippedPassages {
  checksum: string;
  from: number;
  to: number;
}

export function emptyManifest(dimension: number, modelId: string): KnowledgeBaseManifest {
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    dimension,
    count: 0,
    nextId: 0,
    deletedIds: [],
    modelId,
    checksum: EMPTY_CHECKSUM,
    index: null,
    generation: 0,
    updatedAt: new Date(0).toISOString(),
  };
}

/** Checks a manifest read from storage or a file; throws KnowledgeBaseCorruptError naming the bad field. */
export function parseManifest(json: unknown, where: string): KnowledgeBaseManifest {
  const bad = (field: string, want: string): never => {
    throw new KnowledgeBaseCorruptError(`${where}: manifest field "${field}" must be ${want}, got ${JSON.stringify((json as Record<string, unknown>)?.[field])}`, {
      where,
      field,
    });
  };
  if (typeof json !== 'object' || json === null) throw new KnowledgeBaseCorruptError(`${where}: manifest is not an object`, { where });
  const m = json as Record<string, unknown>;
  if (m.schemaVersion !== MANIFEST_SCHEMA_VERSION) bad('schemaVersion', `${MANIFEST_SCHEMA_VERSION} (this build reads only that version)`);
  const natural = (f: string, positive = false) => {
    const v = m[f];
    if (!Number.isInteger(v) || (v as number) < (positive ? 1 : 0)) bad(f, positive ? 'a positive integer' : 'a non-negative integer');
  };
  natural('dimension', true);
  natural('count');
  natural('nextId');
  natural('generation');
  if (typeof m.modelId !== 'string') bad('modelId', 'a string');
  if (typeof m.checksum !== 'string' || !/^[0-9a-f]{16}$/.test(m.checksum)) bad('checksum', '16 hex digits');
  const deleted = m.deletedIds;
  if (!Array.isArray(deleted) || deleted.some((id, i) => !Number.isInteger(id) || id < 0 || id >= (m.nextId as number) || (i > 0 && id <= deleted[i - 1]))) {
    bad('deletedIds', 'ascending ids below nextId');
  }
  if ((m.count as number) !== (m.nextId as number) - (deleted as number[]).length) bad('count', 'nextId − deletedIds.length');
  if (m.index !== null) {
    const ix = m.index as Record<string, unknown>;
    const params = ix?.params as Record<string, unknown> | undefined;
    const ok =
      typeof ix === 'object' &&
      ix.kind === 'hnsw' &&
      typeof ix.name === 'string' &&
      Number.isInteger(ix.byteLength) &&
      Number.isInteger(ix.count) &&
      typeof ix.checksum === 'string' &&
      params !== undefined &&
      ['m', 'efConstruction', 'efSearch', 'randomSeed'].every((k) => Number.isInteger(params[k]));
    if (!ok) bad('index', 'null or { kind: "hnsw", name, byteLength, checksum, params, count }');
  }
  if (typeof m.updatedAt !== 'string') bad('updatedAt', 'an ISO date string');
  const probe = m.encoderProbe;
  if (probe !== undefined && (!Array.isArray(probe) || probe.length !== m.dimension || probe.some((v) => typeof v !== 'number' || !Number.isFinite(v)))) {
    bad('encoderProbe', 'absent or `dimension` finite numbers');
  }
  const shipped = m.shipped as Partial<ShippedPassages> | undefined;
  if (
    shipped !== undefined &&
    (typeof shipped !== 'object' || shipped === null || typeof shipped.checksum !== 'string' || !Number.isInteger(shipped.from) || !Number.isInteger(shipped.to) || shipped.from! < 0 || shipped.to! < shipped.from! || shipped.to! > (m.nextId as number))
  ) {
    bad('shipped', 'absent or { checksum, from, to } with 0 ≤ from ≤ to ≤ nextId');
  }
  return m as unknown as KnowledgeBaseManifest;
}

/** The question encoder's `retrieval_vector_size` (or an embedder's width) must equal the stored dimension. */
export function checkDimension(manifest: Pick<KnowledgeBaseManifest, 'dimension'>, expected: number | undefined, what: string): void {
  if (expected !== undefined && expected !== manifest.dimension) throw new EmbeddingDimensionError(manifest.dimension, expected, what);
}

export { PgKnowledgeBase, type PgKnowledgeBaseOptions, type PgSearchResult } from './pg-knowledge-base.js';
export { ingestPassages, type PgIngestEvent, type PgIngestOptions, type PgIngestResult, type PgIngestRow } from './ingest.js';
export { PG_HNSW_DEFAULTS, type PgHnswParams, type PgIngestCheckpoint, type PgManifest } from './schema.js';
export {
  EmbeddingDimensionError,
  EmbeddingModelError,
  EmptyKnowledgeBaseError,
  NonFiniteEmbeddingError,
  NotEnoughPassagesError,
  PgKnowledgeBaseConflictError,
  PgKnowledgeBaseCorruptError,
  PgVectorMissingError,
  PostgresError,
  PostgresUnavailableError,
  RetrievalError,
  UnknownPassageError,
  UnstorableTextError,
} from './errors.js';

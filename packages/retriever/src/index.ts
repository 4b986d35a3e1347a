// The declarations name WebGPU's types (GPUDevice, GPUBuffer, …): `preserve` keeps this
// reference in the emitted index.d.ts, so a consumer's tsc finds them in our @webgpu/types dependency.
/// <reference types="@webgpu/types" preserve="true" />
export { splitIntoPassages, type Passage, type RawDocument } from './passage-splitter.js';
export {
  EmbeddingDimensionError,
  EmbeddingModelError,
  EmptyKnowledgeBaseError,
  HnswUnavailableError,
  KnowledgeBaseConflictError,
  KnowledgeBaseCorruptError,
  KnowledgeBaseFetchError,
  KnowledgeBaseNameTakenError,
  KnowledgeBaseStorageError,
  MalformedPassagesError,
  NonFiniteEmbeddingError,
  NotEnoughPassagesError,
  RetrievalError,
  StorageQuotaError,
  UnknownPassageError,
} from './errors.js';
export { readNpy, writeNpy, type NpyMatrix } from './npy.js';
export {
  MANIFEST_SCHEMA_VERSION,
  type HnswParams,
  type IndexEntry,
  type KnowledgeBaseManifest,
  type ShippedPassages,
} from './manifest.js';
export { IdbBackend, MemoryBackend, type StoreBackend, type StoreKey, type WriteOps } from './store-backend.js';
export { PassageStore, type CommitChanges, type IngestCheckpoint } from './passage-store.js';
export type { SearchResult, VectorIndex } from './vector-index.js';
export { ExactIndex } from './exact-index.js';
export { HNSW_DEFAULTS, HnswIndex } from './hnsw-index.js';
export { decodeUtf8, parsePassagesJson, parsePassagesJsonl, type PassageInput } from './passage-input.js';
export { ingest, type IngestOptions, type IngestResult, type IngestSource } from './ingest.js';
export { KnowledgeBase, type KnowledgeBaseOptions } from './knowledge-base.js';
export { KB_FILES, exportKnowledgeBase, loadKnowledgeBase, type FileSource, type KnowledgeBaseFolderManifest, type LoadKnowledgeBaseOptions } from './kb-folder.js';
// The retrieval contract lives in core (so Postgres and remote sources share it); re-exported for the documented imports.
export {
  ENCODER_PROBE_QUESTION,
  RagRetriever,
  assertFiniteEmbeddings,
  checkEncoderProbe,
  checkModelId,
  formatContext,
  type IngestEvent,
  type PassageSource,
  type PostprocessedDocs,
  type RagRetrieverConfig,
  type RagRetrieverTokenizers,
  type ScoredPassages,
  type StoredPassage,
} from '@rag-web/core';

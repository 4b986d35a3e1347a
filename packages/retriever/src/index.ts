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
export { assertFiniteEmbeddings } from './finite-embeddings.js';
export {
  ENCODER_PROBE_QUESTION,
  MANIFEST_SCHEMA_VERSION,
  checkEncoderProbe,
  checkModelId,
  type HnswParams,
  type IndexEntry,
  type KnowledgeBaseManifest,
  type ShippedPassages,
} from './manifest.js';
export { IdbBackend, MemoryBackend, type StoreBackend, type StoreKey, type WriteOps } from './store-backend.js';
export { PassageStore, type CommitChanges, type IngestCheckpoint, type StoredPassage } from './passage-store.js';
export type { SearchResult, VectorIndex } from './vector-index.js';
export { ExactIndex } from './exact-index.js';
export { HNSW_DEFAULTS, HnswIndex } from './hnsw-index.js';
export { decodeUtf8, parsePassagesJson, parsePassagesJsonl, type PassageInput } from './passage-input.js';
export { ingest, type IngestEvent, type IngestOptions, type IngestResult, type IngestSource } from './ingest.js';
export { KnowledgeBase, type KnowledgeBaseOptions } from './knowledge-base.js';
export { KB_FILES, exportKnowledgeBase, loadKnowledgeBase, type FileSource, type KnowledgeBaseFolderManifest, type LoadKnowledgeBaseOptions } from './kb-folder.js';
export {
  RagRetriever,
  formatContext,
  type PassageSource,
  type PostprocessedDocs,
  type RagRetrieverConfig,
  type RagRetrieverTokenizers,
} from './rag-retriever.js';

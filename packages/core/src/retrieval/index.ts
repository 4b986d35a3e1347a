export type {
  BatchEncoding,
  DocDict,
  Embedder,
  EncodeOptions,
  PassageSource,
  RetrievedDocs,
  Retriever,
  RetrieverOutput,
  ScoredPassages,
  StoredPassage,
  TextTokenizer,
} from './contracts.js';
export { EmbeddingDimensionError, EmbeddingModelError, EmptyKnowledgeBaseError, NonFiniteEmbeddingError, NotEnoughPassagesError, RetrievalError, UnknownPassageError } from './errors.js';
export { ENCODER_PROBE_QUESTION, assertFiniteEmbeddings, checkEncoderProbe, checkModelId, type EmbeddingIdentity } from './embedding-identity.js';
export { embeddingsOf, type IngestEvent, type IngestRow } from './ingest-batch.js';
export { RagRetriever, formatContext, type PostprocessedDocs, type RagRetrieverConfig, type RagRetrieverTokenizers } from './rag-retriever.js';

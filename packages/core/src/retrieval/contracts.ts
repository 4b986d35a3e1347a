/**
 * The contracts between the packages: `retriever` implements `Retriever`, `models` implements
 * `Embedder` and the tokenizer interfaces, and the RAG classes consume them. Neither of those
 * packages imports the other; the CLI and the demo wire them together.
 */

/** A passage of a knowledge base; `id` is its doc id (a dataset row index in transformers). */
export interface DocDict {
  id: number;
  title: string;
  text: string;
}

/** What `RagRetriever.retrieve(question_hidden_states, n_docs)` returns, batch-major. */
export interface RetrievedDocs {
  /** (batch × nDocs × retrievalVectorSize) float32 embeddings of the retrieved passages. */
  retrievedDocEmbeds: Float32Array;
  /** (batch × nDocs) doc ids, best first. */
  docIds: number[][];
  /** The passages themselves, (batch × nDocs). */
  docDicts: DocDict[][];
}

/** What calling `RagRetriever(question_input_ids, question_hidden_states, ...)` returns. */
export interface RetrieverOutput {
  /** (batch·nDocs × maxCombinedLength) generator token ids of `title / text // question`. */
  contextInputIds: number[][];
  contextAttentionMask: number[][];
  /** (batch × nDocs × retrievalVectorSize). */
  retrievedDocEmbeds: Float32Array;
  docIds: number[][];
  /** The retrieved passages, (batch × nDocs): what the contexts were formatted from. */
  docDicts: DocDict[][];
  /** The formatted context strings, (batch·nDocs), before tokenization. */
  contextStrings: string[];
}

/** One passage as stored: its doc id, text and float32 embedding. */
export interface StoredPassage extends DocDict {
  embedding: Float32Array;
}

/** The top-k passages of a batch of queries, batch-major: row `q` is `[q·k, (q+1)·k)`, best first. */
export interface ScoredPassages {
  ids: Int32Array;
  /** Inner products `query · passage`, non-increasing along each row. */
  scores: Float32Array;
  passages: StoredPassage[];
}

/**
 * A knowledge base that `RagRetriever` reads: the in-browser one (retriever package), a table on
 * Postgres (pgvector package), a retrieval server (remote package). Scores are inner products (no
 * normalization); equal scores rank the lower id first, as transformers' exact index.
 */
export interface PassageSource {
  readonly name: string;
  readonly dimension: number;
  /** Passages that can be retrieved now. */
  count(): Promise<number>;
  /**
   * The top-`k` passages of each of the (n × dimension) `queries`, embeddings included. Throws
   * EmptyKnowledgeBaseError when there is no passage and NotEnoughPassagesError when `k` exceeds them.
   */
  topPassages(queries: Float32Array, k: number, options?: { signal?: AbortSignal }): Promise<ScoredPassages>;
}

export interface Retriever {
  /** Dimension of the stored embeddings; must equal the question encoder's `retrieval_vector_size`. */
  readonly dimension: number;
  /** Number of passages that can be retrieved. */
  size(): Promise<number>;
  /** Top-`nDocs` passages by inner product for each of `batch` question vectors (batch × dimension). */
  retrieve(questionHiddenStates: Float32Array, nDocs: number): Promise<RetrievedDocs>;
  /**
   * The call form: retrieval plus context formatting and tokenization. Without a `prefix` the
   * generator's is used (transformers' `RagRetriever.__call__`).
   */
  call(questionInputIds: number[][], questionHiddenStates: Float32Array, options?: { prefix?: string | null; nDocs?: number }): Promise<RetrieverOutput>;
}

/** Turns passages into embeddings (a DPR context encoder, in the models package). */
export interface Embedder {
  /** Identifies the model that produced the embeddings, stored in a knowledge base's manifest. */
  readonly modelId: string;
  readonly dimension: number;
  /** (passages.length × dimension) float32, in passage order. */
  embed(passages: Array<{ title: string; text: string }>, options?: { signal?: AbortSignal }): Promise<Float32Array>;
}

export interface EncodeOptions {
  maxLength?: number;
  /** `'max_length'` pads every row to `maxLength`, `'longest'` to the longest row. */
  padding?: 'max_length' | 'longest' | false;
  truncation?: boolean;
}

export interface BatchEncoding {
  inputIds: number[][];
  attentionMask: number[][];
}

/** The slice of a Hugging Face tokenizer that retrieval needs (implemented in the models package). */
export interface TextTokenizer {
  encodeBatch(texts: string[], options?: EncodeOptions): BatchEncoding;
  batchDecode(ids: number[][], options?: { skipSpecialTokens?: boolean }): string[];
}

import type { DeviceType, Dtype as ModelDtype, ProgressInfo, ResolvedDevice } from '@rag-web/models';
import type { IngestEvent } from '@rag-web/retriever';

/**
 * The demo's one engine interface. `LocalRagEngine` implements it where it runs (the worker, or
 * the page with `?engine=page`); `WorkerRagEngine` implements it on the UI thread by messages to
 * a worker that runs `LocalRagEngine` behind `EngineWorkerHandler`. Every request and result is
 * plain data (structured-cloneable); callbacks are hooks that the worker pair turns into
 * messages. Failures reject with the packages' typed errors, rebuilt on the UI side.
 */
export interface RagEngine {
  /** Where the engine runs and what it can use (WebGPU adapter, cross-origin isolation). */
  environment(): Promise<EngineEnvironment>;
  /** Loads (or replaces) the model and opens the bundled knowledge base on first use. */
  load(request: LoadRequest, hooks?: LoadHooks): Promise<ModelInfo>;
  /**
   * Where questions retrieve from: a `rag serve` retrieval server at `url` (connected and checked
   * against the loaded model's width), or, for an empty url, the knowledge bases in this browser.
   * A failed connect keeps the previous setting.
   */
  setRetrieval(request: RetrievalRequest, hooks?: { signal?: AbortSignal }): Promise<RetrievalInfo>;
  /** Retrieves passages for the question (a knowledge base here, or the retrieval server), then generates the answer. */
  ask(request: AskRequest, hooks?: AskHooks): Promise<AskResult>;
  /** Splits, embeds (the model's context encoder) and stores documents in a knowledge base. */
  addDocuments(request: AddDocumentsRequest, hooks?: IngestHooks): Promise<KnowledgeBaseSummary>;
  listKnowledgeBases(): Promise<KnowledgeBaseSummary[]>;
  deleteKnowledgeBase(name: string): Promise<void>;
  /** Passages of a knowledge base whose title is, or starts with, the given one (case-insensitive). */
  findPassages(request: FindPassagesRequest): Promise<FindPassagesResult>;
  /** Replaces a passage's text: the new text is embedded (context encoder) and stored under a new doc id, the old passage removed. */
  updatePassage(request: UpdatePassageRequest): Promise<PassageRecord>;
  deletePassage(request: PassageRef): Promise<void>;
}

export type Dtype = 'fp32' | 'q8';
/** `auto`: fp32 on WebGPU, q8 on WASM (`@rag-web/rag`'s `defaultDtype`). */
export type DtypeChoice = Dtype | 'auto';
export type Variant = 'token' | 'sequence';

export interface EngineEnvironment {
  crossOriginIsolated: boolean;
  /** `vendor / architecture` of the WebGPU adapter, ` (software)` after it for one `auto` does not take; null when there is none. */
  adapter: string | null;
}

export interface LoadRequest {
  /** A model folder URL (tools/export_rag.py layout), e.g. `/models/tiny-a`. */
  modelUrl: string;
  device: DeviceType;
  dtype: DtypeChoice;
}

export interface ModelInfo {
  modelUrl: string;
  /** Its context encoder's identity from the weights (`sha256:…`), which the knowledge bases it embeds record. */
  embeddingModelId?: string;
  requestedDevice: DeviceType;
  /** The backend actually in use (after any fallback). */
  device: ResolvedDevice;
  /** The weights loaded (`auto` resolved). */
  dtype: ModelDtype;
  /** The config's n_docs, retrieval_vector_size and the generation config's max_length. */
  nDocs: number;
  dimension: number;
  maxLength: number;
  /** The model has a context encoder, so documents can be added. */
  canEmbed: boolean;
  loadMs: number;
}

export interface RetrievalRequest {
  /** The retrieval server's base URL (`GET /health`, `POST /retrieve`); empty: retrieve in this browser. */
  url: string;
}

/** Where questions retrieve from now. */
export type RetrievalInfo =
  | { mode: 'local' }
  | {
      mode: 'remote';
      url: string;
      /** The server's knowledge base, its passage count and embedding width (its `/health`). */
      name: string;
      count: number;
      dimension: number;
    };

/** Where an answer's passages came from: a knowledge base in this browser, or a retrieval server's. */
export type PassageOrigin = { mode: 'local'; name: string } | { mode: 'remote'; name: string; url: string };

export interface AskRequest {
  question: string;
  /** The knowledge base in this browser to ask from; unused while retrieval is remote. */
  knowledgeBase: string;
  variant: Variant;
  nDocs: number;
  numBeams: number;
  maxLength: number;
  /** copy: the answer is a span of the retrieved passages (`copyFromContexts`); free: any tokens. */
  decoding: Decoding;
}

export type Decoding = 'free' | 'copy';

/** A stored passage, as the page sees it. */
export interface PassageRecord {
  docId: number;
  title: string;
  text: string;
}

/** A retrieved passage with its doc score and that score's softmax over the retrieved set. */
export interface RetrievedPassage extends PassageRecord {
  score: number;
  probability: number;
}

export interface AskResult {
  answer: string;
  passages: RetrievedPassage[];
  /** Documents actually used: the request's nDocs, or fewer if the knowledge base is smaller. */
  nDocs: number;
  retrievedFrom: PassageOrigin;
  device: ResolvedDevice;
  /** True when the answer was streamed token by token (RAG-Token greedy). */
  streamed: boolean;
  retrieveMs: number;
  generateMs: number;
}

export interface DocumentText {
  title: string;
  text: string;
}

export interface AddDocumentsRequest {
  /** An existing knowledge base, or a new name (created with the model's dimension). */
  knowledgeBase: string;
  /** Pasted documents. */
  documents: DocumentText[];
  /** .txt / .md (one document each, titled by file name) and .jsonl ({ title, text } per line). */
  files: File[];
  wordsPerPassage?: number;
}

export interface KnowledgeBaseSummary {
  name: string;
  count: number;
  dimension: number;
  modelId: string;
  /** Seeded from a folder shipped with the app (restored on the next start if deleted). */
  bundled: boolean;
  /**
   * Storage left by an ingest into a new knowledge base that never committed (failed, stopped,
   * tab closed): `pending` passages stored, none of them live. Listed so it can be resumed (add
   * the same documents again) or deleted.
   */
  unfinished?: { pending: number };
}

export interface FindPassagesRequest {
  knowledgeBase: string;
  title: string;
  /** At most this many passages are returned (exact title matches first); default 20. */
  limit?: number;
}

export interface FindPassagesResult {
  passages: PassageRecord[];
  /** Matches in all, including those beyond `limit`. */
  total: number;
}

export interface PassageRef {
  knowledgeBase: string;
  docId: number;
}

export interface UpdatePassageRequest extends PassageRef {
  text: string;
}

export interface LoadHooks {
  signal?: AbortSignal;
  onProgress?: (info: ProgressInfo) => void;
  onWarning?: (message: string) => void;
}

export interface AskHooks {
  signal?: AbortSignal;
  /** The passages, before generation starts. */
  onRetrieved?: (passages: RetrievedPassage[]) => void;
  /** The answer so far (RAG-Token greedy streams one token at a time). */
  onText?: (text: string) => void;
  onWarning?: (message: string) => void;
}

export interface IngestHooks {
  signal?: AbortSignal;
  onProgress?: (event: IngestEvent) => void;
}

import type { ProgressInfo } from '@rag-web/models';
import type { IngestEvent } from '@rag-web/retriever';
import type {
  AddDocumentsRequest,
  AskRequest,
  AskResult,
  EngineEnvironment,
  FindPassagesRequest,
  FindPassagesResult,
  KnowledgeBaseSummary,
  LoadRequest,
  ModelInfo,
  PassageRecord,
  PassageRef,
  RetrievalInfo,
  RetrievalRequest,
  RetrievedPassage,
  UpdatePassageRequest,
} from './engine.js';
import type { SerializedError } from './errors.js';

/**
 * The worker protocol: unions discriminated by `kind`. Every request carries an id; everything
 * the worker sends about a request (hook events, then exactly one `result` or `error`) carries
 * the same id. `abort` names the id of the request to abort.
 */
export type RequestMessage =
  | { kind: 'environment'; id: number }
  | { kind: 'load'; id: number; request: LoadRequest }
  | { kind: 'set-retrieval'; id: number; request: RetrievalRequest }
  | { kind: 'ask'; id: number; request: AskRequest }
  | { kind: 'add-documents'; id: number; request: AddDocumentsRequest }
  | { kind: 'list-knowledge-bases'; id: number }
  | { kind: 'delete-knowledge-base'; id: number; name: string }
  | { kind: 'find-passages'; id: number; request: FindPassagesRequest }
  | { kind: 'update-passage'; id: number; request: UpdatePassageRequest }
  | { kind: 'delete-passage'; id: number; request: PassageRef }
  | { kind: 'abort'; id: number };

/** What each request kind resolves to. */
export interface ResultOf {
  environment: EngineEnvironment;
  load: ModelInfo;
  'set-retrieval': RetrievalInfo;
  ask: AskResult;
  'add-documents': KnowledgeBaseSummary;
  'list-knowledge-bases': KnowledgeBaseSummary[];
  'delete-knowledge-base': undefined;
  'find-passages': FindPassagesResult;
  'update-passage': PassageRecord;
  'delete-passage': undefined;
}

export type ResponseMessage =
  | { kind: 'result'; id: number; value: ResultOf[keyof ResultOf] }
  | { kind: 'error'; id: number; error: SerializedError }
  | { kind: 'load-progress'; id: number; info: ProgressInfo }
  | { kind: 'ingest-progress'; id: number; event: IngestEvent }
  | { kind: 'retrieved'; id: number; passages: RetrievedPassage[] }
  | { kind: 'answer-text'; id: number; text: string }
  | { kind: 'warning'; id: number; message: string };

import { RagError } from '@rag-web/core';
import type { ProgressInfo } from '@rag-web/models';
import type { IngestEvent } from '@rag-web/retriever';
import type {
  AddDocumentsRequest,
  AskHooks,
  AskRequest,
  AskResult,
  EngineEnvironment,
  FindPassagesRequest,
  FindPassagesResult,
  IngestHooks,
  KnowledgeBaseSummary,
  LoadHooks,
  LoadRequest,
  ModelInfo,
  PassageRecord,
  PassageRef,
  RagEngine,
  RetrievalInfo,
  RetrievalRequest,
  UpdatePassageRequest,
} from './engine.js';
import { rebuildError } from './errors.js';
import type { RequestMessage, ResponseMessage, ResultOf } from './messages.js';

/** Every call's hooks, with the two progress kinds told apart. */
interface Listeners {
  signal?: AbortSignal | undefined;
  onLoadProgress?: ((info: ProgressInfo) => void) | undefined;
  onIngestProgress?: ((event: IngestEvent) => void) | undefined;
  onRetrieved?: AskHooks['onRetrieved'];
  onText?: AskHooks['onText'];
  onWarning?: ((message: string) => void) | undefined;
}
type Request = RequestMessage extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

interface Pending {
  hooks: Listeners;
  resolve: (value: never) => void;
  reject: (err: Error) => void;
}

/** Thrown to every pending call when the worker itself dies (its script failed to load, it crashed). */
export class EngineWorkerError extends RagError {}

/**
 * The UI-thread side of the engine pair: the same RagEngine interface, each call a message to the
 * worker with a fresh id. Hook messages reach the call's hooks; `error` messages reject with the
 * typed error rebuilt (`instanceof ModelLoadError` works here); aborting a call's signal sends
 * an `abort` message for its id.
 */
export class WorkerRagEngine implements RagEngine {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly worker: Worker) {
    worker.addEventListener('message', (e: MessageEvent<ResponseMessage>) => this.onMessage(e.data));
    worker.addEventListener('error', (e) => this.failAll(`the engine worker failed: ${e.message || 'its script could not run'}`));
    worker.addEventListener('messageerror', () => this.failAll('a message from the engine worker could not be read'));
  }

  environment(): Promise<EngineEnvironment> {
    return this.call<'environment'>({ kind: 'environment' });
  }

  load(request: LoadRequest, hooks: LoadHooks = {}): Promise<ModelInfo> {
    return this.call<'load'>({ kind: 'load', request }, { signal: hooks.signal, onLoadProgress: hooks.onProgress, onWarning: hooks.onWarning });
  }

  setRetrieval(request: RetrievalRequest, hooks: { signal?: AbortSignal } = {}): Promise<RetrievalInfo> {
    return this.call<'set-retrieval'>({ kind: 'set-retrieval', request }, { signal: hooks.signal });
  }

  ask(request: AskRequest, hooks: AskHooks = {}): Promise<AskResult> {
    return this.call<'ask'>({ kind: 'ask', request }, hooks);
  }

  addDocuments(request: AddDocumentsRequest, hooks: IngestHooks = {}): Promise<KnowledgeBaseSummary> {
    return this.call<'add-documents'>({ kind: 'add-documents', request }, { signal: hooks.signal, onIngestProgress: hooks.onProgress });
  }

  listKnowledgeBases(): Promise<KnowledgeBaseSummary[]> {
    return this.call<'list-knowledge-bases'>({ kind: 'list-knowledge-bases' });
  }

  async deleteKnowledgeBase(name: string): Promise<void> {
    await this.call<'delete-knowledge-base'>({ kind: 'delete-knowledge-base', name });
  }

  findPassages(request: FindPassagesRequest): Promise<FindPassagesResult> {
    return this.call<'find-passages'>({ kind: 'find-passages', request });
  }

  updatePassage(request: UpdatePassageRequest): Promise<PassageRecord> {
    return this.call<'update-passage'>({ kind: 'update-passage', request });
  }

  async deletePassage(request: PassageRef): Promise<void> {
    await this.call<'delete-passage'>({ kind: 'delete-passage', request });
  }

  terminate(): void {
    this.worker.terminate();
    this.failAll('the engine worker was terminated');
  }

  private call<K extends keyof ResultOf>(request: Request & { kind: K }, hooks: Listeners = {}): Promise<ResultOf[K]> {
    const id = this.nextId++;
    return new Promise<ResultOf[K]>((resolve, reject) => {
      this.pending.set(id, { hooks, resolve: resolve as (value: never) => void, reject });
      hooks.signal?.addEventListener('abort', () => this.worker.postMessage({ kind: 'abort', id } satisfies RequestMessage), { once: true });
      this.worker.postMessage({ ...request, id } as RequestMessage);
    });
  }

  private onMessage(message: ResponseMessage): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    const { hooks } = pending;
    switch (message.kind) {
      case 'result':
        this.pending.delete(message.id);
        pending.resolve(message.value as never);
        break;
      case 'error':
        this.pending.delete(message.id);
        pending.reject(rebuildError(message.error));
        break;
      case 'load-progress':
        hooks.onLoadProgress?.(message.info);
        break;
      case 'ingest-progress':
        hooks.onIngestProgress?.(message.event);
        break;
      case 'retrieved':
        hooks.onRetrieved?.(message.passages);
        break;
      case 'answer-text':
        hooks.onText?.(message.text);
        break;
      case 'warning':
        hooks.onWarning?.(message.message);
        break;
    }
  }

  private failAll(reason: string): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(new EngineWorkerError(reason));
    }
  }
}

import type { RagEngine } from './engine.js';
import { serializeError } from './errors.js';
import type { RequestMessage, ResponseMessage, ResultOf } from './messages.js';

/** Where the handler's messages go: the worker's global scope (or a MessagePort in tests). */
export interface MessageSink {
  postMessage(message: ResponseMessage): void;
}

/**
 * The worker side of the engine pair: runs each request on the engine it wraps, turns hook calls
 * into messages with the request's id, and answers with one `result` or `error` (the error as
 * `{ name, message, details }`). An `abort` message aborts the named request's AbortSignal.
 */
export class EngineWorkerHandler {
  private readonly running = new Map<number, AbortController>();

  constructor(
    private readonly engine: RagEngine,
    private readonly sink: MessageSink,
  ) {}

  async onMessage(message: RequestMessage): Promise<void> {
    if (message.kind === 'abort') {
      this.running.get(message.id)?.abort(new DOMException('The request was cancelled.', 'AbortError'));
      return;
    }
    const controller = new AbortController();
    this.running.set(message.id, controller);
    try {
      const value = await this.dispatch(message, controller.signal);
      this.sink.postMessage({ kind: 'result', id: message.id, value });
    } catch (err) {
      this.sink.postMessage({ kind: 'error', id: message.id, error: serializeError(err) });
    } finally {
      this.running.delete(message.id);
    }
  }

  private dispatch(message: Exclude<RequestMessage, { kind: 'abort' }>, signal: AbortSignal): Promise<ResultOf[keyof ResultOf]> {
    const { id } = message;
    const post = (m: ResponseMessage) => this.sink.postMessage(m);
    const onWarning = (text: string) => post({ kind: 'warning', id, message: text });
    switch (message.kind) {
      case 'environment':
        return this.engine.environment();
      case 'load':
        return this.engine.load(message.request, { signal, onWarning, onProgress: (info) => post({ kind: 'load-progress', id, info }) });
      case 'set-retrieval':
        return this.engine.setRetrieval(message.request, { signal });
      case 'ask':
        return this.engine.ask(message.request, {
          signal,
          onWarning,
          onRetrieved: (passages) => post({ kind: 'retrieved', id, passages }),
          onText: (text) => post({ kind: 'answer-text', id, text }),
        });
      case 'add-documents':
        return this.engine.addDocuments(message.request, { signal, onProgress: (event) => post({ kind: 'ingest-progress', id, event }) });
      case 'list-knowledge-bases':
        return this.engine.listKnowledgeBases();
      case 'delete-knowledge-base':
        return this.engine.deleteKnowledgeBase(message.name).then(() => undefined);
      case 'find-passages':
        return this.engine.findPassages(message.request);
      case 'update-passage':
        return this.engine.updatePassage(message.request);
      case 'delete-passage':
        return this.engine.deletePassage(message.request).then(() => undefined);
    }
  }
}

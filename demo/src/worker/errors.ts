import { GpuDeviceError, RagConfigError, RagError, ShapeError, reviveError } from '@rag-web/core';
import {
  DeviceFallbackError,
  GenerationError,
  InvalidInputError,
  ModelFileNotFoundError,
  ModelIntegrityError,
  ModelLoadError,
  TokenizerMismatchError,
} from '@rag-web/models';
import {
  EmbeddingDimensionError,
  EmbeddingModelError,
  EmptyKnowledgeBaseError,
  HnswUnavailableError,
  KnowledgeBaseCorruptError,
  KnowledgeBaseFetchError,
  KnowledgeBaseStorageError,
  MalformedPassagesError,
  NonFiniteEmbeddingError,
  NotEnoughPassagesError,
  RetrievalError,
  StorageQuotaError,
  UnknownPassageError,
} from '@rag-web/retriever';
import {
  MalformedRequestError,
  MalformedResponseError,
  MethodNotAllowedError,
  OriginNotAllowedError,
  RemoteRetrievalError,
  RemoteUnavailableError,
  RequestLimitError,
  RequestTooLargeError,
  RouteNotFoundError,
} from '@rag-web/remote';

/** An error as it crosses the worker boundary: the class name, the message and plain-data details. */
export interface SerializedError {
  name: string;
  message: string;
  details: Record<string, unknown>;
}

/** Input the demo itself rejects (an empty question, a bad knowledge-base name, an unknown file type). */
export class DemoInputError extends RagError {
  override readonly name: string = 'DemoInputError';
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * The packages' typed errors by class name, so the UI can test `instanceof ModelLoadError` on
 * what a worker threw (web-llm sends only a string). A class missing here comes back as a plain
 * RagError with the original name and details.
 */
const registry = new Map<string, ErrorClass>(
  (
    [
      RagError,
      RagConfigError,
      ShapeError,
      GpuDeviceError,
      ModelLoadError,
      ModelFileNotFoundError,
      ModelIntegrityError,
      TokenizerMismatchError,
      InvalidInputError,
      DeviceFallbackError,
      GenerationError,
      RetrievalError,
      KnowledgeBaseStorageError,
      EmbeddingDimensionError,
      EmbeddingModelError,
      EmptyKnowledgeBaseError,
      NotEnoughPassagesError,
      MalformedPassagesError,
      StorageQuotaError,
      KnowledgeBaseCorruptError,
      KnowledgeBaseFetchError,
      NonFiniteEmbeddingError,
      HnswUnavailableError,
      UnknownPassageError,
      RemoteRetrievalError,
      RemoteUnavailableError,
      MalformedRequestError,
      MalformedResponseError,
      RequestTooLargeError,
      RequestLimitError,
      RouteNotFoundError,
      MethodNotAllowedError,
      OriginNotAllowedError,
      DemoInputError,
    ] as ErrorClass[]
  ).map((cls) => [cls.name, cls]),
);

const builtins: Record<string, ErrorConstructor> = { TypeError, RangeError, SyntaxError, Error };

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const details = err instanceof RagError ? plainData(err.details) : {};
    return { name: err.name, message: err.message, details };
  }
  return { name: 'Error', message: String(err), details: {} };
}

/** The typed error again (core's `reviveError`); an unknown name comes back as a RagError. */
export function rebuildError(e: SerializedError): Error {
  if (e.name === 'AbortError') return new DOMException(e.message, 'AbortError');
  const builtin = builtins[e.name];
  if (builtin) return new builtin(e.message);
  return reviveError(registry.get(e.name) ?? RagError, e.name, e.message, e.details);
}

/** `details` are meant to be plain data; anything that is not (a stray Error, a function) is stringified. */
function plainData(details: Record<string, unknown>): Record<string, unknown> {
  try {
    return structuredClone(details);
  } catch {
    return JSON.parse(JSON.stringify(details, (_k, v: unknown) => (typeof v === 'function' || v instanceof Error ? String(v) : v))) as Record<string, unknown>;
  }
}

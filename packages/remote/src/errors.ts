import { RetrievalError } from '@rag-web/core';

/**
 * Typed errors of retrieval over HTTP. Each keeps core's contract (`name` spelled out, `details`
 * plain data): the server sends `{ name, message, details }` and `RemoteRetriever` rebuilds the
 * same class. Core's retrieval errors (EmbeddingDimensionError, NotEnoughPassagesError, …) cross
 * the wire under their own names.
 *
 * `RemoteRetrievalError`: the family, and what an error of a name the client does not know becomes.
 */
export class RemoteRetrievalError extends RetrievalError {
  override readonly name: string = 'RemoteRetrievalError';
}

/** A request body that is not JSON, or not `{ questionHiddenStates: number[][], nDocs }`. HTTP 400. */
export class MalformedRequestError extends RemoteRetrievalError {
  override readonly name: string = 'MalformedRequestError';
}

/** A request body over the server's `maxBodyBytes`; the server stops reading at the limit. HTTP 413. */
export class RequestTooLargeError extends RemoteRetrievalError {
  override readonly name: string = 'RequestTooLargeError';
  constructor(
    readonly limit: number,
    readonly received: number,
  ) {
    super(`The request body is larger than the server's limit of ${limit} bytes (${received} bytes or more).`, { limit, received });
  }
}

/** nDocs above the server's `maxDocs`, or more questions than its `maxBatch`. HTTP 400. */
export class RequestLimitError extends RemoteRetrievalError {
  override readonly name: string = 'RequestLimitError';
  constructor(
    readonly limit: 'maxDocs' | 'maxBatch',
    readonly allowed: number,
    readonly requested: number,
  ) {
    const what = limit === 'maxDocs' ? 'nDocs' : 'questions per request';
    super(`${requested} ${what} were requested, but this server allows at most ${allowed} (${limit}).`, { limit, allowed, requested });
  }
}

/** A path the server does not serve (HTTP 404). */
export class RouteNotFoundError extends RemoteRetrievalError {
  override readonly name: string = 'RouteNotFoundError';
  constructor(readonly path: string) {
    super(`Nothing is served at ${path}: the retrieval server answers GET /health and POST /retrieve.`, { path });
  }
}

/** A method the path does not take (HTTP 405). */
export class MethodNotAllowedError extends RemoteRetrievalError {
  override readonly name: string = 'MethodNotAllowedError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly allowed: string,
  ) {
    super(`${path} does not take ${method}; use ${allowed}.`, { method, path, allowed });
  }
}

/** A CORS preflight from an origin the server was not told to allow (HTTP 403). */
export class OriginNotAllowedError extends RemoteRetrievalError {
  override readonly name: string = 'OriginNotAllowedError';
  constructor(readonly origin: string | null) {
    super(`Origin ${origin ?? '(none)'} may not call this retrieval server (its --cors list).`, { origin });
  }
}

/**
 * The server could not be reached or did not answer as one: network failure, timeout, a reply
 * that is not JSON, or the server's knowledge base itself failing (HTTP 503, e.g. Postgres down).
 */
export class RemoteUnavailableError extends RemoteRetrievalError {
  override readonly name: string = 'RemoteUnavailableError';
  constructor(
    readonly url: string,
    readonly reason: string,
    readonly status: number | null = null,
    readonly remoteName: string | null = null,
  ) {
    super(`Retrieval server ${url} is unavailable${status === null ? '' : ` (HTTP ${status})`}: ${reason}`, { url, reason, status, remoteName });
  }
}

/** A 200 reply whose JSON is not what the protocol says (not a retrieval server, or another version). */
export class MalformedResponseError extends RemoteRetrievalError {
  override readonly name: string = 'MalformedResponseError';
}

import {
  EmbeddingDimensionError,
  EmbeddingModelError,
  EmptyKnowledgeBaseError,
  NonFiniteEmbeddingError,
  NotEnoughPassagesError,
  RagError,
  RetrievalError,
  UnknownPassageError,
  reviveError,
  type DocDict,
  type ScoredPassages,
  type StoredPassage,
} from '@rag-web/core';
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
} from './errors.js';

/**
 * The wire format of retrieval over HTTP, JSON both ways, and its validation: the server checks
 * requests and the client checks replies with the same readers. Float32 values travel as JSON
 * numbers (the float32 widened to a double, which JSON writes and reads back exactly), so
 * `Math.fround` of every number read is the value that was sent.
 */

export const HEALTH_PATH = '/health';
export const RETRIEVE_PATH = '/retrieve';

/** `POST /retrieve` body. */
export interface RetrieveRequest {
  /** (batch × dimension) question vectors (the DPR question encoder's pooled output). */
  questionHiddenStates: number[][];
  nDocs: number;
}

/** `POST /retrieve` reply, batch-major, best first: the names of transformers' `retrieve`. */
export interface RetrieveResponse {
  name: string;
  dimension: number;
  /** (batch × nDocs). */
  docIds: number[][];
  /** (batch × nDocs) inner products question · passage. */
  docScores: number[][];
  /** (batch × nDocs × dimension). */
  retrievedDocEmbeds: number[][][];
  /** (batch × nDocs). */
  docs: DocDict[][];
}

/** `GET /health` reply. */
export interface HealthResponse {
  status: 'ok';
  name: string;
  dimension: number;
  /** Passages that can be retrieved now. */
  count: number;
  maxDocs: number;
  maxBatch: number;
}

/** Every error reply (status 4xx / 5xx). */
export interface ErrorResponse {
  error: { name: string; message: string; details: Record<string, unknown> };
}

/** The limits a server checks a request against. */
export interface RetrieveLimits {
  dimension: number;
  maxDocs: number;
  maxBatch: number;
}

type Fail = (message: string) => Error;

/** Doc ids are int32 (`ScoredPassages.ids`). */
const MAX_DOC_ID = 0x7fffffff;

export function encodeRetrieveRequest(queries: Float32Array, dimension: number, nDocs: number): RetrieveRequest {
  return { questionHiddenStates: rowsOf(queries, dimension), nDocs };
}

/**
 * A request as the server takes it: MalformedRequestError for a wrong shape, RequestLimitError
 * above the limits, EmbeddingDimensionError for a row of another width than the knowledge base's.
 */
export function parseRetrieveRequest(body: unknown, limits: RetrieveLimits): { queries: Float32Array; batch: number; nDocs: number } {
  const fail: Fail = (message) => new MalformedRequestError(`POST ${RETRIEVE_PATH}: ${message}`, { reason: message });
  const request = object(body, 'the body', fail);
  const nDocs = integer(request.nDocs, 'nDocs', 1, fail);
  const rows = array(request.questionHiddenStates, 'questionHiddenStates', fail);
  if (rows.length === 0) throw fail('questionHiddenStates holds no question');
  const vectors = rows.map((row, i) => array(row, `questionHiddenStates[${i}]`, fail));
  if (nDocs > limits.maxDocs) throw new RequestLimitError('maxDocs', limits.maxDocs, nDocs);
  if (rows.length > limits.maxBatch) throw new RequestLimitError('maxBatch', limits.maxBatch, rows.length);
  const d = limits.dimension;
  const queries = new Float32Array(rows.length * d);
  vectors.forEach((values, i) => {
    if (values.length !== d) throw new EmbeddingDimensionError(d, values.length, `POST ${RETRIEVE_PATH} questionHiddenStates[${i}]`);
    values.forEach((v, j) => (queries[i * d + j] = float32(v, `questionHiddenStates[${i}][${j}]`, fail)));
  });
  return { queries, batch: rows.length, nDocs };
}

/** The reply to a request of `batch` questions: `scored` is the source's `topPassages(queries, nDocs)`. */
export function encodeRetrieveResponse(source: { name: string; dimension: number }, scored: ScoredPassages, batch: number, nDocs: number): RetrieveResponse {
  const rows = Array.from({ length: batch }, (_, q) => scored.passages.slice(q * nDocs, (q + 1) * nDocs));
  return {
    name: source.name,
    dimension: source.dimension,
    docIds: rowsOf(scored.ids, nDocs),
    docScores: rowsOf(scored.scores, nDocs),
    retrievedDocEmbeds: rows.map((row) => row.map((p) => Array.from(p.embedding))),
    docs: rows.map((row) => row.map(({ id, title, text }) => ({ id, title, text }))),
  };
}

/** A reply as the client takes it, back in the `PassageSource` form; MalformedResponseError for any other shape. */
export function parseRetrieveResponse(body: unknown, expected: { dimension: number; batch: number; nDocs: number }): ScoredPassages {
  const fail: Fail = (message) => new MalformedResponseError(`POST ${RETRIEVE_PATH} reply: ${message}`, { reason: message });
  const { dimension: d, batch, nDocs } = expected;
  const reply = object(body, 'the reply', fail);
  string(reply.name, 'name', fail);
  if (reply.dimension !== d) throw fail(`dimension is ${shown(reply.dimension)}, expected ${d}`);
  const docIds = array(reply.docIds, 'docIds', fail, batch);
  const docScores = array(reply.docScores, 'docScores', fail, batch);
  const embeds = array(reply.retrievedDocEmbeds, 'retrievedDocEmbeds', fail, batch);
  const docs = array(reply.docs, 'docs', fail, batch);
  const ids = new Int32Array(batch * nDocs);
  const scores = new Float32Array(batch * nDocs);
  const passages: StoredPassage[] = [];
  for (let q = 0; q < batch; q++) {
    const idRow = array(docIds[q], `docIds[${q}]`, fail, nDocs);
    const scoreRow = array(docScores[q], `docScores[${q}]`, fail, nDocs);
    const embedRow = array(embeds[q], `retrievedDocEmbeds[${q}]`, fail, nDocs);
    const docRow = array(docs[q], `docs[${q}]`, fail, nDocs);
    for (let z = 0; z < nDocs; z++) {
      const at = `[${q}][${z}]`;
      const id = integer(idRow[z], `docIds${at}`, 0, fail, MAX_DOC_ID);
      const doc = object(docRow[z], `docs${at}`, fail);
      if (doc.id !== id) throw fail(`docs${at}.id is ${shown(doc.id)}, but docIds${at} is ${id}`);
      const embedding = new Float32Array(d);
      array(embedRow[z], `retrievedDocEmbeds${at}`, fail, d).forEach((v, j) => (embedding[j] = float32(v, `retrievedDocEmbeds${at}[${j}]`, fail)));
      ids[q * nDocs + z] = id;
      scores[q * nDocs + z] = float32(scoreRow[z], `docScores${at}`, fail);
      passages.push({ id, title: string(doc.title, `docs${at}.title`, fail), text: string(doc.text, `docs${at}.text`, fail), embedding });
    }
  }
  return { ids, scores, passages };
}

export function parseHealthResponse(body: unknown): HealthResponse {
  const fail: Fail = (message) => new MalformedResponseError(`GET ${HEALTH_PATH} reply: ${message}`, { reason: message });
  const reply = object(body, 'the reply', fail);
  if (reply.status !== 'ok') throw fail(`status is ${shown(reply.status)}, expected "ok"`);
  return {
    status: 'ok',
    name: string(reply.name, 'name', fail),
    dimension: integer(reply.dimension, 'dimension', 1, fail),
    count: integer(reply.count, 'count', 0, fail),
    maxDocs: integer(reply.maxDocs, 'maxDocs', 1, fail),
    maxBatch: integer(reply.maxBatch, 'maxBatch', 1, fail),
  };
}

/** The reply body of a failed request: the error's name, message and (for our typed errors) details; never its stack. */
export function errorResponse(err: unknown): ErrorResponse {
  const e = err instanceof Error ? err : new Error(String(err));
  return { error: { name: e.name, message: e.message, details: e instanceof RagError ? e.details : {} } };
}

/** The classes an error reply is rebuilt as, by the name it carries (spelled out: minifiers rename classes). */
const WIRE_ERRORS: Record<string, new (...args: never[]) => Error> = {
  RetrievalError,
  EmbeddingDimensionError,
  EmbeddingModelError,
  EmptyKnowledgeBaseError,
  NotEnoughPassagesError,
  NonFiniteEmbeddingError,
  UnknownPassageError,
  RemoteRetrievalError,
  MalformedRequestError,
  RequestTooLargeError,
  RequestLimitError,
  RouteNotFoundError,
  MethodNotAllowedError,
  OriginNotAllowedError,
  RemoteUnavailableError,
  MalformedResponseError,
};

/**
 * The typed error of an error reply: a known name becomes its class (core's `reviveError`). An unknown name becomes
 * RemoteRetrievalError, or RemoteUnavailableError when the server said 503 (its knowledge base
 * failing); a body that is not an error reply, RemoteUnavailableError.
 */
export function rebuildError(body: unknown, status: number, url: string): Error {
  const error = isObject(body) && isObject(body.error) ? body.error : null;
  if (!error || typeof error.name !== 'string' || typeof error.message !== 'string') {
    return new RemoteUnavailableError(url, 'the reply is not a retrieval server error', status);
  }
  const { name, message } = error;
  const details = isObject(error.details) ? error.details : {};
  const cls = Object.hasOwn(WIRE_ERRORS, name) ? WIRE_ERRORS[name] : undefined;
  if (!cls) {
    if (status === 503) return new RemoteUnavailableError(url, `${name}: ${message}`, status, name);
    return new RemoteRetrievalError(`${name}: ${message}`, { remoteName: name, status, url, remoteDetails: details });
  }
  return reviveError(cls, name, message, details);
}

function rowsOf(values: ArrayLike<number> & { subarray(begin: number, end: number): ArrayLike<number> }, width: number): number[][] {
  return Array.from({ length: values.length / width }, (_, i) => Array.from(values.subarray(i * width, (i + 1) * width)));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown, what: string, fail: Fail): Record<string, unknown> {
  if (!isObject(value)) throw fail(`${what} is not a JSON object`);
  return value;
}

function array(value: unknown, what: string, fail: Fail, length?: number): unknown[] {
  if (!Array.isArray(value)) throw fail(`${what} is not an array`);
  if (length !== undefined && value.length !== length) throw fail(`${what} holds ${value.length} entries, expected ${length}`);
  return value;
}

function string(value: unknown, what: string, fail: Fail): string {
  if (typeof value !== 'string') throw fail(`${what} is not a string`);
  return value;
}

function integer(value: unknown, what: string, min: number, fail: Fail, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw fail(`${what} must be an integer ${range}, got ${shown(value)}`);
  }
  return value;
}

function float32(value: unknown, what: string, fail: Fail): number {
  if (typeof value !== 'number' || !Number.isFinite(Math.fround(value))) throw fail(`${what} is ${shown(value)}, not a finite float32`);
  return value;
}

/** A received value in a message, cut short: error replies must not echo a large body back. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

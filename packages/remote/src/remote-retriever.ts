import { ShapeError, type PassageSource, type ScoredPassages } from '@rag-web/core';
import { RemoteUnavailableError } from './errors.js';
import { HEALTH_PATH, RETRIEVE_PATH, encodeRetrieveRequest, parseHealthResponse, parseRetrieveResponse, rebuildError, type HealthResponse } from './protocol.js';

export interface RemoteRetrieverOptions {
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Sent with every request (e.g. `Authorization` for a server behind a proxy that checks it). */
  headers?: Record<string, string>;
  /** Per request, reply body included; default 30 000. */
  timeoutMs?: number;
  /** Cancels `connect` (later requests take their own signal). */
  signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A knowledge base served by a retrieval server (`rag serve`, or `serveRetrieval` of
 * `@rag-web/remote/server`), as a `PassageSource`: core's `RagRetriever` runs over it unchanged,
 * so a page encodes questions and generates locally and only retrieval goes over the network.
 * Errors of the server come back as the same typed classes (NotEnoughPassagesError,
 * EmbeddingDimensionError, RequestLimitError, …); an unreachable, slow or foreign server is a
 * RemoteUnavailableError. Uses `fetch` only: runs in a page, a worker and Node.
 */
export class RemoteRetriever implements PassageSource {
  private constructor(
    /** The server's base URL, without a trailing slash. */
    readonly url: string,
    readonly name: string,
    readonly dimension: number,
    /** The server's limits: nDocs per question, questions per request (larger batches are split). */
    readonly maxDocs: number,
    readonly maxBatch: number,
    private readonly options: Omit<RemoteRetrieverOptions, 'signal'>,
  ) {}

  /** Reads the server's `/health`: the knowledge base's name, dimension and the server's limits. */
  static async connect(url: string, options: RemoteRetrieverOptions = {}): Promise<RemoteRetriever> {
    const { signal, ...kept } = options;
    const base = url.replace(/\/+$/, '');
    const health = parseHealthResponse(await exchange(base, HEALTH_PATH, undefined, kept, signal));
    return new RemoteRetriever(base, health.name, health.dimension, health.maxDocs, health.maxBatch, kept);
  }

  /** The server's `/health` now. */
  async health(options: { signal?: AbortSignal } = {}): Promise<HealthResponse> {
    return parseHealthResponse(await exchange(this.url, HEALTH_PATH, undefined, this.options, options.signal));
  }

  async count(): Promise<number> {
    return (await this.health()).count;
  }

  async topPassages(queries: Float32Array, k: number, options: { signal?: AbortSignal } = {}): Promise<ScoredPassages> {
    const d = this.dimension;
    if (queries.length === 0 || queries.length % d !== 0) {
      throw new ShapeError(`topPassages: ${queries.length} query values are not a positive multiple of the dimension ${d}`, { length: queries.length, dimension: d });
    }
    const batch = queries.length / d;
    const parts: ScoredPassages[] = [];
    for (let b0 = 0; b0 < batch; b0 += this.maxBatch) {
      const m = Math.min(this.maxBatch, batch - b0);
      const request = encodeRetrieveRequest(queries.subarray(b0 * d, (b0 + m) * d), d, k);
      const reply = await exchange(this.url, RETRIEVE_PATH, JSON.stringify(request), this.options, options.signal);
      parts.push(parseRetrieveResponse(reply, { dimension: d, batch: m, nDocs: k }));
    }
    if (parts.length === 1) return parts[0]!;
    const ids = new Int32Array(parts.reduce((n, p) => n + p.ids.length, 0));
    const scores = new Float32Array(ids.length);
    let at = 0;
    for (const p of parts) {
      ids.set(p.ids, at);
      scores.set(p.scores, at);
      at += p.ids.length;
    }
    return { ids, scores, passages: parts.flatMap((p) => p.passages) };
  }
}

/**
 * One request: GET without a body, POST with one. Returns the reply's JSON when the status is
 * 2xx, throws the rebuilt server error otherwise. The caller's abort rethrows its reason.
 */
async function exchange(base: string, path: string, body: string | undefined, options: Omit<RemoteRetrieverOptions, 'signal'>, signal?: AbortSignal): Promise<unknown> {
  const url = `${base}${path}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const doFetch = options.fetch ?? fetch;
  let status: number;
  let ok: boolean;
  let text: string;
  try {
    const response = await doFetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
      body,
      signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
    });
    ({ status, ok } = response);
    text = await response.text();
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    if (timeout.aborted) throw new RemoteUnavailableError(url, `no complete reply within ${timeoutMs} ms`);
    throw new RemoteUnavailableError(url, describe(err));
  }
  let reply: unknown;
  try {
    reply = JSON.parse(text);
  } catch {
    throw new RemoteUnavailableError(url, `the reply is not JSON (${JSON.stringify(text.slice(0, 80))})`, status);
  }
  if (!ok) throw rebuildError(reply, status, url);
  return reply;
}

/** A fetch failure with its cause (Node's fetch says only "fetch failed", its cause ECONNREFUSED). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message;
}

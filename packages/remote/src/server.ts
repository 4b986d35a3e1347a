import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RagConfigError, RetrievalError, type PassageSource, type ScoredPassages } from '@rag-web/core';
import {
  MalformedRequestError,
  MethodNotAllowedError,
  OriginNotAllowedError,
  RemoteUnavailableError,
  RequestLimitError,
  RequestTooLargeError,
  RouteNotFoundError,
} from './errors.js';
import { HEALTH_PATH, RETRIEVE_PATH, encodeRetrieveResponse, errorResponse, parseRetrieveRequest, type HealthResponse } from './protocol.js';

export interface RetrievalHandlerOptions {
  /** Most nDocs a request may ask for; default 100. */
  maxDocs?: number;
  /** Most questions in one request; default 64. */
  maxBatch?: number;
  /** Largest request body; reading stops there (413). Default 4 MiB. */
  maxBodyBytes?: number;
  /** Origins allowed to call from a page (`'*'`: any); default false: no CORS headers, preflights refused. */
  cors?: string | string[] | false;
  /** Called with each error answered 503 (the knowledge base failing); default console.error. */
  onError?: (err: unknown) => void;
}

export interface ServeRetrievalOptions extends RetrievalHandlerOptions {
  /** Default 0: a free port (the result says which). */
  port?: number;
  /** Default 127.0.0.1: this machine only. */
  host?: string;
}

export interface RetrievalServer {
  url: string;
  port: number;
  /** Stops accepting connections, lets requests in flight finish (2 s at most), then resolves. */
  close(): Promise<void>;
}

export const SERVER_DEFAULTS = Object.freeze({ maxDocs: 100, maxBatch: 64, maxBodyBytes: 4 * 1024 * 1024 });

const ROUTES: Readonly<Record<string, 'GET' | 'POST'>> = { [HEALTH_PATH]: 'GET', [RETRIEVE_PATH]: 'POST' };
const CLOSE_GRACE_MS = 2000;

/**
 * The retrieval server as a `node:http` request handler over any PassageSource (the in-memory
 * knowledge base of a folder, Postgres, …): `GET /health`, `POST /retrieve` (protocol.ts).
 * Every request is checked before the source sees it; each failure is a JSON error reply with
 * its status: 400 malformed or over a limit, 413 body too large, 422 what the knowledge base
 * cannot do (core's retrieval errors), 503 the knowledge base failing, 404 / 405 / 403.
 */
export function createRetrievalHandler(source: PassageSource, options: RetrievalHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const limits = {
    dimension: source.dimension,
    maxDocs: positiveInteger(options.maxDocs ?? SERVER_DEFAULTS.maxDocs, 'maxDocs'),
    maxBatch: positiveInteger(options.maxBatch ?? SERVER_DEFAULTS.maxBatch, 'maxBatch'),
  };
  const maxBodyBytes = positiveInteger(options.maxBodyBytes ?? SERVER_DEFAULTS.maxBodyBytes, 'maxBodyBytes');
  const origins = corsOrigins(options.cors ?? false);
  const onError = options.onError ?? ((err: unknown) => console.error(err));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const origin = req.headers.origin;
    const allowOrigin = origin === undefined ? null : origins.includes('*') ? '*' : origins.includes(origin) ? origin : null;
    if (allowOrigin !== null) res.setHeader('access-control-allow-origin', allowOrigin);
    if (origins.length > 0 && !origins.includes('*')) res.setHeader('vary', 'Origin');

    const method = ROUTES[path];
    if (method === undefined) throw new RouteNotFoundError(path);
    if (req.method === 'OPTIONS') {
      if (allowOrigin === null) throw new OriginNotAllowedError(origin ?? null);
      res.writeHead(204, {
        'access-control-allow-methods': `${method}, OPTIONS`,
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'content-type',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    if (req.method !== method) throw new MethodNotAllowedError(req.method ?? '', path, method);

    if (path === HEALTH_PATH) {
      const health: HealthResponse = { status: 'ok', name: source.name, dimension: source.dimension, count: await source.count(), maxDocs: limits.maxDocs, maxBatch: limits.maxBatch };
      send(res, 200, health);
      return;
    }
    const text = await readBody(req, maxBodyBytes);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new MalformedRequestError(`POST ${RETRIEVE_PATH}: the body is not JSON (${(err as Error).message})`, { reason: 'not JSON' });
    }
    const { queries, batch, nDocs } = parseRetrieveRequest(body, limits);
    // A client that hangs up need not wait for: sources that take a signal stop early.
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    let scored: ScoredPassages;
    try {
      scored = await source.topPassages(queries, nDocs, { signal: gone.signal });
    } catch (err) {
      // Nobody is left to answer, and a hang-up is not the server's error to log.
      if (gone.signal.aborted) return;
      throw err;
    }
    send(res, 200, encodeRetrieveResponse(source, scored, batch, nDocs));
  }

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = statusOf(err);
      if (status === 503) onError(err);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // A body left unread (over the limit, or sent to the wrong route) is not read: the connection closes after the reply.
      send(res, status, errorResponse(err), {
        ...(req.complete ? {} : { connection: 'close' }),
        ...(err instanceof MethodNotAllowedError ? { allow: `${err.allowed}, OPTIONS` } : {}),
      });
    });
  };
}

/** Listens with `createRetrievalHandler`; resolves once the port is bound. */
export async function serveRetrieval(source: PassageSource, options: ServeRetrievalOptions = {}): Promise<RetrievalServer> {
  const { port = 0, host = '127.0.0.1', ...handlerOptions } = options;
  const server = createServer(createRetrievalHandler(source, handlerOptions));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
      }),
  };
}

function statusOf(err: unknown): number {
  if (err instanceof RequestTooLargeError) return 413;
  if (err instanceof RouteNotFoundError) return 404;
  if (err instanceof MethodNotAllowedError) return 405;
  if (err instanceof OriginNotAllowedError) return 403;
  if (err instanceof MalformedRequestError || err instanceof RequestLimitError) return 400;
  if (err instanceof RemoteUnavailableError) return 503;
  if (err instanceof RetrievalError) return 422;
  return 503;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(json);
}

/** The body as text, read up to `limit` bytes: a larger one is refused without reading the rest. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(new RequestTooLargeError(limit, declared));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        reject(new RequestTooLargeError(limit, size));
      } else {
        chunks.push(chunk);
      }
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
    req.once('close', () => reject(new MalformedRequestError(`POST ${RETRIEVE_PATH}: the client closed the request before its end`, { reason: 'closed' })));
  });
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RagConfigError(`retrieval server: ${name} must be a positive integer, got ${value}`, { [name]: value });
  return value;
}

/** `cors` as a list of origins; each must be `'*'` or an origin as browsers send it (`https://host[:port]`). */
function corsOrigins(cors: string | string[] | false): string[] {
  const list = cors === false ? [] : typeof cors === 'string' ? [cors] : cors;
  for (const origin of list) {
    let canonical: string | null = null;
    try {
      canonical = new URL(origin).origin;
    } catch {
      // not a URL: refused below
    }
    if (origin !== '*' && canonical !== origin) {
      throw new RagConfigError(`retrieval server: CORS origin ${JSON.stringify(origin)} is not '*' or scheme://host[:port]`, { origin });
    }
  }
  return list;
}

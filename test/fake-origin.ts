// A model host for Node tests: `fetch` answering from the fixtures folder as a static server
// (or the hub) would — HEAD with Content-Length, bodies streamed in chunks, the request's
// AbortSignal honoured mid-body — with hooks to break it and counters to see what was asked.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fixturePath } from './fixture-files.js';

export const ORIGIN = 'https://models.test';

export interface FakeOriginOptions {
  /** Bytes per body chunk (each chunk is one macrotask, so an abort lands mid-body). */
  chunk?: number;
  /** An HTTP status to answer for a path instead of the file (e.g. 404 for manifest.json, 500). */
  status?: (path: string) => number | undefined;
  /** Rewrites a file's bytes as served (a corrupt mirror). */
  body?: (path: string, bytes: Uint8Array) => Uint8Array;
  /** HEAD without Content-Length (a server that gives no size). */
  noSize?: boolean;
  /** Paths served as if the file were not there. */
  hidden?: (path: string) => boolean;
  /** A missing file gets a 200 HTML page, as single-page-app hosts (`vite preview`) answer. */
  spaFallback?: boolean;
}

export interface FakeOrigin {
  fetch: typeof fetch;
  /** `GET path` / `HEAD path`, in the order asked. */
  requests: string[];
  /** Most bodies being streamed at one moment. */
  maxInFlight: number;
  gets(path: string): number;
}

/** Paths under fixtures/, served at `${ORIGIN}/<path>`. */
export function fakeOrigin(options: FakeOriginOptions = {}): FakeOrigin {
  const chunk = options.chunk ?? 16 * 1024;
  let inFlight = 0;
  const origin: FakeOrigin = {
    requests: [],
    maxInFlight: 0,
    gets: (path) => origin.requests.filter((r) => r === `GET ${path}`).length,
    fetch: async (input, init) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      const method = init?.method ?? 'GET';
      const signal = init?.signal ?? undefined;
      const path = decodeURIComponent(url.pathname.slice(1));
      origin.requests.push(`${method} ${path}`);
      signal?.throwIfAborted();
      await new Promise((r) => setImmediate(r));
      const file = fixturePath(path);
      const present = url.origin === ORIGIN && !options.hidden?.(path) && existsSync(file) && statSync(file).isFile();
      if (!present && options.spaFallback) {
        return new Response(method === 'HEAD' ? null : '<!doctype html><title>app</title>', { status: 200, headers: { 'Content-Type': 'text/html' } });
      }
      const status = options.status?.(path) ?? (present ? 200 : 404);
      if (status !== 200) return new Response(null, { status });
      const raw = new Uint8Array(readFileSync(file));
      const bytes = options.body ? options.body(path, raw) : raw;
      const headers: Record<string, string> = options.noSize ? {} : { 'Content-Length': String(bytes.byteLength) };
      if (method === 'HEAD') return new Response(null, { status, headers });
      let offset = 0;
      inFlight++;
      origin.maxInFlight = Math.max(origin.maxInFlight, inFlight);
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await new Promise((r) => setImmediate(r));
          if (signal?.aborted) {
            inFlight--;
            controller.error(signal.reason);
            return;
          }
          controller.enqueue(bytes.slice(offset, offset + chunk));
          offset += chunk;
          if (offset >= bytes.byteLength) {
            inFlight--;
            controller.close();
          }
        },
      });
      return new Response(body, { status, headers });
    },
  };
  return origin;
}

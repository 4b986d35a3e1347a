import { ModelLoadError } from '../errors.js';
import { isNode } from '../hub/model-source.js';
import type { Ort } from './runtime.js';

/** A URL of one of onnxruntime-web's runtime files (`ort-wasm-simd-threaded[.variant].{wasm,mjs}`, maybe renamed with a hash by a bundler). */
const RUNTIME_FILE = /\/ort-wasm-simd-threaded[^/?#]*\.(?:wasm|mjs)(?:[?#]|$)/;
/** The file the WebGPU build (the one browsers load, runtime.ts) fetches in every variant. */
const WASM_FILE = 'ort-wasm-simd-threaded.asyncify.wasm';

/**
 * When ORT's backend failed to start in a browser because a runtime file could not be loaded: a
 * ModelLoadError naming that file's URL and HTTP status. ORT's own message ("no available backend
 * found … initWasm() failed") names neither; the cause shows only in the network log. Undefined
 * when the failure is something else (then ORT's message is the one to show).
 */
export async function runtimeFileError(ort: Ort, err: unknown, context: string): Promise<ModelLoadError | undefined> {
  if (isNode() || !/no available backend found/.test(String(err instanceof Error ? err.message : err))) return undefined;
  for (const url of triedUrls(ort)) {
    const failure = await loadFailure(url);
    if (failure) {
      return new ModelLoadError(
        `${context}: onnxruntime-web's runtime file ${url} could not be loaded (${failure.why}): serve it there, ` +
          `or set the wasmPaths option to the URL of a folder that serves onnxruntime-web's ort-wasm-simd-threaded.* files`,
        { url, ...(failure.status !== undefined ? { status: failure.status } : {}) },
      );
    }
  }
  return undefined;
}

/** The runtime files this page fetched (resource timing, newest first), then the one wasmPaths points at. */
function triedUrls(ort: Ort): string[] {
  const fetched = performance
    .getEntriesByType('resource')
    .map((e) => e.name)
    .filter((name) => RUNTIME_FILE.test(name))
    .reverse();
  const paths = ort.env.wasm.wasmPaths;
  // ORT joins a string prefix and a file name by concatenation, not URL resolution.
  const configured = typeof paths === 'string' ? `${paths}${WASM_FILE}` : paths?.wasm !== undefined ? String(paths.wasm) : undefined;
  return [...new Set([...fetched, ...(configured !== undefined ? [new URL(configured, location.href).href] : [])])];
}

async function loadFailure(url: string): Promise<{ why: string; status?: number } | undefined> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch (err) {
    return { why: `network error: ${err instanceof Error ? err.message : String(err)}` };
  }
  // Only the status and type matter, not megabytes of body.
  await response.body?.cancel();
  if (!response.ok) return { why: `HTTP ${response.status}`, status: response.status };
  const type = response.headers.get('Content-Type') ?? '';
  // A server's fallback page (index.html for unknown paths) answers 200 with the wrong file.
  if (/text\/html/.test(type)) return { why: `HTTP ${response.status} but ${type}, not the file`, status: response.status };
  return undefined;
}

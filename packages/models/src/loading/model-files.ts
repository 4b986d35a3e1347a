import type { ModelCacheWriteError } from '../errors.js';
import type { FileCache } from '../hub/file-cache.js';
import { loadFile, verifyLocalFile } from '../hub/file-loader.js';
import type { FileFacts } from '../hub/manifest.js';
import { fileKey } from '../hub/model-source.js';
import type { ProgressTracker } from '../hub/progress.js';
import type { ModelPlan, PartPlan } from './model-plan.js';

/**
 * One ONNX graph, fetched. Where the file is kept somewhere it can be read again (a local folder,
 * the file cache), its bytes are not held: they are read right before the graph's session is
 * created, one graph at a time, so a model's bytes are never all in memory next to its sessions.
 */
export interface GraphFile {
  readonly size: number;
  /** The bytes, checked against the expected size and SHA-256. */
  bytes(): Promise<Uint8Array>;
  /** In Node, for a local folder: the file's path once its content is checked (ONNX runtimes read paths themselves). */
  path?(): Promise<string>;
}

/** The fetched files of a model, by `fileKey(part.source, path)`: tokenizer files as bytes, graphs as handles. */
export interface ModelFiles {
  tokenizers: Map<string, Uint8Array>;
  graphs: Map<string, GraphFile>;
}

export interface FetchOptions {
  progress: ProgressTracker;
  cache?: FileCache | undefined;
  signal?: AbortSignal | undefined;
  /** Downloads at once (browsers allow about six per host). */
  concurrency?: number;
  /** A downloaded file the cache refused (the load goes on). */
  onCacheError?: ((warning: ModelCacheWriteError) => void) | undefined;
}

interface Wanted {
  part: PartPlan;
  path: string;
  label: string;
  facts: FileFacts | undefined;
  graph: boolean;
}

/**
 * Phase two of loading: every tokenizer and ONNX file of the plan, several at a time, from the
 * cache or the network. The progress total is the sum of the planned sizes, announced before the
 * first byte. A file is checked against its SHA-256 (manifest, or the hub's) before it is kept.
 */
export async function fetchModelFiles(plan: ModelPlan, options: FetchOptions): Promise<ModelFiles> {
  const { progress, cache, signal } = options;
  // Files the cache refused: their graphs are held, not read back from it.
  const uncached = new Set<string>();
  const onCacheError = (warning: ModelCacheWriteError) => {
    uncached.add(String(warning.details.url));
    options.onCacheError?.(warning);
  };
  const parts = [plan.parts.questionEncoder, plan.parts.generator, ...(plan.parts.ctxEncoder ? [plan.parts.ctxEncoder] : [])];
  const wanted: Wanted[] = parts.flatMap((part) => [
    ...part.tokenizerFiles.map((path) => ({ part, path, label: `${part.label}${path}`, facts: part.facts.get(path), graph: false })),
    ...Object.values(part.graphFiles).map((path) => ({ part, path, label: `${part.label}${path}`, facts: part.facts.get(path), graph: true })),
  ]);
  const files: ModelFiles = { tokenizers: new Map(), graphs: new Map() };
  const keep = (w: Wanted, bytes: Uint8Array) => {
    const key = fileKey(w.part.source, w.path);
    if (!w.graph) files.tokenizers.set(key, bytes);
    else files.graphs.set(key, graphFile(w, bytes, uncached.has(key) ? undefined : cache, signal));
  };
  // Only a digest makes sizes binding: a server's Content-Length may be of a compressed body.
  const expected = (w: Wanted) => (w.facts?.sha256 ? w.facts : undefined);
  // A server that gave no size: that file is read before the total is announced, so it never moves.
  for (const w of wanted.filter((x) => !Number.isSafeInteger(x.facts?.size))) {
    const bytes = await loadFile(w.part.source, w.path, { cache, signal, expected: expected(w), onCacheError });
    keep(w, bytes);
    w.facts = { size: bytes.byteLength };
  }
  progress.plan(wanted.map((w) => ({ file: w.label, size: w.facts!.size })));
  const have = (w: Wanted) => files.tokenizers.has(fileKey(w.part.source, w.path)) || files.graphs.has(fileKey(w.part.source, w.path));
  for (const w of wanted.filter(have)) progress.emit({ status: 'done', file: w.label, fromCache: false });
  // A local graph is read when its session is created (and checked then): nothing to fetch now.
  for (const w of wanted.filter((x) => x.graph && !have(x) && x.part.source.kind === 'local')) {
    files.graphs.set(fileKey(w.part.source, w.path), localGraphFile(w));
    progress.emit({ status: 'done', file: w.label, fromCache: true });
  }
  const queue = wanted.filter((w) => !have(w));
  let failed = false;
  const worker = async () => {
    for (let w = queue.shift(); w && !failed; w = queue.shift()) {
      try {
        keep(w, await loadFile(w.part.source, w.path, { cache, signal, progress, label: w.label, expected: expected(w), onCacheError }));
      } catch (err) {
        failed = true; // the other downloads stop taking files
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return files;
}

/** A downloaded graph: read back from the cache when one keeps it (fetched again if it was evicted since), else held. */
function graphFile(w: Wanted, held: Uint8Array, cache: FileCache | undefined, signal: AbortSignal | undefined): GraphFile {
  const size = held.byteLength;
  if (!cache || w.part.source.kind !== 'url') return { size, bytes: async () => held };
  const expected = w.facts?.sha256 ? w.facts : undefined;
  return { size, bytes: () => loadFile(w.part.source, w.path, { cache, signal, expected }) };
}

function localGraphFile(w: Wanted): GraphFile {
  const { source } = w.part;
  if (source.kind !== 'local') throw new TypeError('localGraphFile: not a local source');
  const expected = w.facts?.sha256 ? w.facts : undefined;
  return {
    size: w.facts!.size,
    bytes: () => loadFile(source, w.path, { expected }),
    path: () => verifyLocalFile(source.dir, w.path, expected),
  };
}

import type { FileCache } from '../hub/file-cache.js';
import { loadFile } from '../hub/file-loader.js';
import type { FileFacts } from '../hub/manifest.js';
import { fileKey } from '../hub/model-source.js';
import type { ProgressTracker } from '../hub/progress.js';
import type { ModelPlan, PartPlan } from './model-plan.js';

/** The fetched bytes of a model's tokenizer and ONNX files, by `fileKey(part.source, path)`. */
export type ModelFiles = Map<string, Uint8Array>;

export interface FetchOptions {
  progress: ProgressTracker;
  cache?: FileCache | undefined;
  signal?: AbortSignal | undefined;
  /** Downloads at once (browsers allow about six per host). */
  concurrency?: number;
}

interface Wanted {
  part: PartPlan;
  path: string;
  label: string;
  facts: FileFacts | undefined;
}

/**
 * Phase two of loading: every tokenizer and ONNX file of the plan, several at a time, from the
 * cache or the network. The progress total is the sum of the planned sizes, announced before the
 * first byte. A file is checked against its SHA-256 (manifest, or the hub's) before it is kept.
 */
export async function fetchModelFiles(plan: ModelPlan, options: FetchOptions): Promise<ModelFiles> {
  const { progress, cache, signal } = options;
  const parts = [plan.parts.questionEncoder, plan.parts.generator, ...(plan.parts.ctxEncoder ? [plan.parts.ctxEncoder] : [])];
  const wanted: Wanted[] = parts.flatMap((part) =>
    [...part.tokenizerFiles, ...Object.values(part.graphFiles)].map((path) => ({ part, path, label: `${part.label}${path}`, facts: part.facts.get(path) })),
  );
  const files: ModelFiles = new Map();
  // Only a digest makes sizes binding: a server's Content-Length may be of a compressed body.
  const expected = (w: Wanted) => (w.facts?.sha256 ? w.facts : undefined);
  // A server that gave no size: that file is read before the total is announced, so it never moves.
  for (const w of wanted.filter((x) => !Number.isSafeInteger(x.facts?.size))) {
    const bytes = await loadFile(w.part.source, w.path, { cache, signal, expected: expected(w) });
    files.set(fileKey(w.part.source, w.path), bytes);
    w.facts = { size: bytes.byteLength };
  }
  progress.plan(wanted.map((w) => ({ file: w.label, size: w.facts!.size })));
  const queue = wanted.filter((w) => !files.has(fileKey(w.part.source, w.path)));
  for (const w of wanted.filter((x) => files.has(fileKey(x.part.source, x.path)))) progress.emit({ status: 'done', file: w.label, fromCache: false });
  let failed = false;
  const worker = async () => {
    for (let w = queue.shift(); w && !failed; w = queue.shift()) {
      try {
        files.set(fileKey(w.part.source, w.path), await loadFile(w.part.source, w.path, { cache, signal, progress, label: w.label, expected: expected(w) }));
      } catch (err) {
        failed = true; // the other downloads stop taking files
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return files;
}

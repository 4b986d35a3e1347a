/**
 * This project's side of the encoder bench, in a process of its own: DPRQuestionEncoder and
 * DPRContextEncoder of a loaded RagModel, with their tokenizers, on onnxruntime-node (`cpu`) or
 * onnxruntime-web's WASM EP (`wasm`), on the same inputs as transformers.
 *
 *   node bench/encoders/ours.mjs SPEC.json     (SPEC as hf_encode.py's, plus model, ctxEncoderDir, device, dtype)
 *
 * Prints one JSON object shaped as hf_encode.py's: raw wall times (tokenization included, one
 * untimed pass first), token ids, pooled outputs, CPU time over wall time while measuring.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HfTokenizer, RagModel, type Ort } from '../../packages/models/src/index.js';
import { runtimeFor } from '../../packages/cli/src/device.js';

interface Spec {
  model: string;
  ctxEncoderDir: string;
  device: 'cpu' | 'wasm';
  dtype: 'fp32' | 'fp16' | 'q8' | 'q4';
  inputs: string;
  threads: number;
  repeats: number;
  batchSizes: number[];
  maxLength: number;
}
type Passage = { title: string; text: string };

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Spec;
const inputs = JSON.parse(readFileSync(spec.inputs, 'utf8')) as { questions: string[]; passages: Passage[] };

/**
 * onnxruntime-node with its sessions' intra-op threads pinned to `threads`: its default is one per
 * physical core, and the rows must run on as many threads as torch does.
 */
function pinnedThreads(ort: Ort, threads: number): Ort {
  const create = ort.InferenceSession.create.bind(ort.InferenceSession) as (bytes: Uint8Array, options: object) => ReturnType<Ort['InferenceSession']['create']>;
  return { ...ort, InferenceSession: { create: (bytes: Uint8Array, options: object) => create(bytes, { ...options, intraOpNumThreads: threads }) } } as unknown as Ort;
}

const { ort } = await runtimeFor(spec.device);
if (ort) ort.env.logLevel = 'error';
const t0 = performance.now();
const rag = await RagModel.fromPretrained(spec.model, {
  device: spec.device,
  dtype: spec.dtype,
  cache: null,
  loadContextEncoder: true,
  ...(ort ? { ort: pinnedThreads(ort, spec.threads) } : { numThreads: spec.threads }),
});
const loadMs = performance.now() - t0;
const { tokenizer, questionEncoder, contextEncoder } = rag.components;
if (!contextEncoder) throw new Error(`${spec.model} has no ctx_encoder`);
// The context encoder's own tokenizer files: DPRContextEncoder.embed batches by 16 and truncates
// at model_max_length, so the bench tokenizes and calls forward itself, as embed does per batch.
const read = (file: string) => JSON.parse(readFileSync(join(spec.ctxEncoderDir, file), 'utf8')) as Record<string, unknown>;
const ctxTokenizer = new HfTokenizer({ tokenizerJson: read('tokenizer.json'), tokenizerConfig: read('tokenizer_config.json') });

async function question(q: string) {
  const enc = tokenizer.questionEncoder.encodeBatch([q], { padding: 'longest', maxLength: spec.maxLength });
  return { ids: enc.inputIds, pooled: await questionEncoder.forward(enc.inputIds, enc.attentionMask) };
}

async function passages(batch: Passage[]) {
  const enc = ctxTokenizer.encodePairs(
    batch.map((p) => [p.title, p.text]),
    spec.maxLength,
  );
  return { enc, pooled: await contextEncoder!.forward(enc.inputIds, enc.attentionMask, enc.tokenTypeIds) };
}
const unpadded = (enc: { inputIds: number[][]; attentionMask: number[][] }) => enc.inputIds.map((row, i) => row.filter((_, j) => enc.attentionMask[i]![j] === 1));

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; out: T }> {
  const start = performance.now();
  const out = await fn();
  return { ms: performance.now() - start, out };
}

/** `repeats` + 1 runs of `fn`; the first is the warm-up and is dropped. */
async function measured<T>(fn: () => Promise<T>): Promise<Array<{ ms: number; out: T }>> {
  const runs = [];
  for (let i = 0; i <= spec.repeats; i++) runs.push(await timed(fn));
  return runs.slice(1);
}

const rows = (pooled: Float32Array, dim: number) => Array.from({ length: pooled.length / dim }, (_, i) => Array.from(pooled.subarray(i * dim, (i + 1) * dim)));
const round = (x: number) => Math.round(x * 1000) / 1000;

const cpu0 = process.cpuUsage();
const wall0 = performance.now();
const questionRuns = await measured(async () => {
  const out = [];
  for (const q of inputs.questions) out.push(await timed(() => question(q)));
  return out;
});
const ingest = [];
for (const size of spec.batchSizes) {
  const batches = Array.from({ length: Math.ceil(inputs.passages.length / size) }, (_, i) => inputs.passages.slice(i * size, (i + 1) * size));
  const runs = await measured(async () => {
    const out = [];
    for (const b of batches) out.push(await passages(b));
    return out;
  });
  ingest.push({
    batch: size,
    runMs: runs.map((r) => round(r.ms)),
    ids: runs[0]!.out.flatMap((o) => unpadded(o.enc)),
    pooled: runs[0]!.out.flatMap((o) => rows(o.pooled, contextEncoder.dimension)),
  });
}
const cpu = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({
    system: `ours-${spec.device}`,
    device: rag.device,
    dtype: spec.dtype,
    threads: spec.threads,
    loadMs: Math.round(loadMs),
    cpuPerWall: round((cpu.user + cpu.system) / 1000 / (performance.now() - wall0)),
    questionMs: questionRuns.flatMap((r) => r.out.map((q) => round(q.ms))),
    questionIds: questionRuns[0]!.out.flatMap((q) => q.out.ids),
    questionPooled: questionRuns[0]!.out.flatMap((q) => rows(q.out.pooled, questionEncoder.dimension)),
    ingest,
  }),
);
await rag.dispose();

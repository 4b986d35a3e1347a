/**
 * This project's side of the generation bench, in a process of its own (its peak RSS is the
 * row's memory): RagTokenForGeneration / RagSequenceForGeneration.generate on the same contexts
 * as transformers, on onnxruntime-node (`cpu`) or onnxruntime-web's WASM EP (`wasm`).
 *
 *   node bench/generation/ours.mjs SPEC.json     (SPEC as hf_generate.py's, plus model, device, dtype)
 *
 * Prints one JSON object: per scenario the wall times of minLength = maxLength = short and long
 * (median of `repeats`, after one warm-up) and the long run's ids; memory after load and at the end.
 */
import { BartGenerator, RagModel, RagSequenceForGeneration, RagTokenForGeneration, type ProgressInfo } from '../../packages/models/src/index.js';
import { runtimeFor } from '../../packages/cli/src/device.js';
import { median } from '../stats.js';
import { memory, readSpec, timeScenario, type Scenario } from './system.js';

const { spec, inputs } = readSpec();
if (spec.device !== 'cpu' && spec.device !== 'wasm') throw new Error(`ours.ts runs cpu or wasm, not ${spec.device}`);
const device = spec.device;

// The runtime `rag ask --device` picks: onnxruntime-node for cpu, onnxruntime-web's WASM EP for wasm.
const { ort } = await runtimeFor(device);
if (ort) ort.env.logLevel = 'error';
let weightBytes = 0;
const t0 = performance.now();
const rag = await RagModel.fromPretrained(spec.model, {
  device,
  dtype: spec.dtype,
  cache: null,
  ...(ort ? { ort } : { numThreads: spec.threads }),
  progressCallback: (e: ProgressInfo) => {
    if (e.status === 'ready') weightBytes = e.aggregate.total;
  },
});
const loadMs = performance.now() - t0;
const afterLoad = memory();
const token = new RagTokenForGeneration(rag);
const sequence = new RagSequenceForGeneration(rag);
const padTokenId = rag.config.generator.padTokenId;
const args = {
  contextInputIds: inputs.contextInputIds,
  contextAttentionMask: inputs.contextInputIds.map((row) => row.map((id) => (id === padTokenId ? 0 : 1))),
  docScores: inputs.docScores,
};

/**
 * Generator work of one generate, in token positions through each half (rows × positions per
 * call), as hf_generate.py counts transformers': the FLOPs follow (≈ 2 · parameters per position).
 */
const work = { encoderTokens: 0, decoderTokens: 0 };
/** Start times of decodeNext: one call per step (every beam and document batched), so their intervals are the decode steps. */
let stepStarts: number[] = [];
const proto = BartGenerator.prototype;
const counted = <K extends 'encode' | 'decodeFirst' | 'decodeNext'>(name: K, half: keyof typeof work, tokens: (...a: Parameters<BartGenerator[K]>) => number) => {
  const original = proto[name] as (...a: Parameters<BartGenerator[K]>) => ReturnType<BartGenerator[K]>;
  (proto as unknown as Record<K, unknown>)[name] = function (this: BartGenerator, ...a: Parameters<BartGenerator[K]>) {
    work[half] += tokens(...a);
    return original.apply(this, a);
  };
};
const positions = (rows: number[][]) => rows.reduce((n, r) => n + r.length, 0);
counted('encode', 'encoderTokens', (ids) => positions(ids));
// forwardLogits (rescoring) runs through decodeFirst.
counted('decodeFirst', 'decoderTokens', (ids) => positions(ids));
counted('decodeNext', 'decoderTokens', (tokens) => {
  stepStarts.push(performance.now());
  return tokens.length;
});

async function run(s: Scenario, length: number): Promise<{ ms: number; ids: number[]; work: typeof work; stepMs: number[] }> {
  const options = { ...args, numBeams: s.numBeams, numReturnSequences: 1, minLength: length, maxLength: length };
  work.encoderTokens = work.decoderTokens = 0;
  stepStarts = [];
  const start = performance.now();
  const ids = s.variant === 'token' ? await token.generate(options) : await sequence.generate(options);
  return { ms: performance.now() - start, ids: ids[0]!, work: { ...work }, stepMs: stepStarts.slice(1).map((t, i) => t - stepStarts[i]!) };
}

const scenarios = [];
for (const s of spec.scenarios) {
  const { result, long } = await timeScenario(s, spec.repeats, run);
  scenarios.push({ ...result, work: long[0]!.work, stepMedianMs: Math.round(100 * median(long.flatMap((r) => r.stepMs))) / 100 });
}
console.log(
  JSON.stringify({
    system: `ours-${device}`,
    device: rag.device,
    dtype: spec.dtype,
    threads: device === 'cpu' ? 'onnxruntime-node default (one per core)' : spec.threads,
    loadMs: Math.round(loadMs),
    weightBytes,
    afterLoad,
    atEnd: memory(),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    scenarios,
  }),
);
await rag.dispose();

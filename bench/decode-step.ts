/**
 * Benchmark of one RAG-Token decoding step after the generator, on the product's own path
 * (`GpuRagMath.selectCandidates`, what `generate` runs) against the step as it was before the
 * kernel runner: the same kernels, each submitted on its own, two read-backs, and the key/value
 * cache reordered by one gather submit per tensor once the CPU scorer has chosen the beams.
 *
 *   greedy: B = 1, n_docs = 5, V = 50265, k = 1 — marginalize, log-softmax, edits, top-k.
 *   beam-4: B = 1, 4 beams, n_docs = 5 (20 decoder rows), k = 8, plus the cache reorder of
 *           L layers × (key, value) tensors of (20 × heads × len × head_dim) f32.
 *
 * Each iteration runs both paths, alternating which goes first, so that a busy machine slows
 * both alike; the page reports per-path medians, the submits each path made per step, and
 * whether both chose the same candidates and cache rows. bench/run.ts drives it headless.
 */
import { createStorageBuffer, readFloat32, readUint32 } from '../packages/core/src/gpu/buffers.js';
import { acquireGpuDevice, type GpuAdapterSummary } from '../packages/core/src/gpu/device.js';
import { beamSelectRef } from '../packages/core/src/kernels/beam-select/beam-select.ref.js';
import { runGatherRows } from '../packages/core/src/kernels/gather-rows/gather-rows.js';
import { runLogitsEdits } from '../packages/core/src/kernels/logits-edits/logits-edits.js';
import { runLogSoftmax } from '../packages/core/src/kernels/log-softmax/log-softmax.js';
import { runMarginalize } from '../packages/core/src/kernels/marginalize/marginalize.js';
import { runTopK } from '../packages/core/src/kernels/top-k/top-k.js';
import type { TopKResult } from '../packages/core/src/kernels/top-k/top-k.ref.js';
import { GpuRagMath } from '../packages/models/src/decoding/gpu-rag-math.js';
import { loadOrt, type Ort } from '../packages/models/src/ort/runtime.js';
import type { CandidateRequest, StepCache } from '../packages/models/src/decoding/rag-math.js';
import { randomFloats, seededRandom } from '../test/seeded-random.js';
import { trackGpu } from '../test/gpu-tracking.js';

export interface PathTiming {
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  submitsPerStep: number;
}

export interface ScenarioResult {
  name: string;
  shape: { batch: number; beams: number; nDocs: number; vocab: number; k: number; cacheTensors: number; cacheBytes: number };
  product: PathTiming;
  previous: PathTiming;
  /** The last step of both paths chose the same ids (scores within 1e-5) and, for beams, the same cache rows. */
  agree: boolean;
}

export interface DecodeStepResult {
  adapter: GpuAdapterSummary;
  iterations: number;
  warmup: number;
  scenarios: ScenarioResult[];
}

interface Scenario {
  name: string;
  beams: number;
  k: number;
  layers: number;
}

const VOCAB = 50265;
const N_DOCS = 5;
const HEADS = 16;
const HEAD_DIM = 64;
const CACHE_LEN = 10;

async function benchScenario(ort: Ort, device: GPUDevice, s: Scenario, iterations: number, warmup: number): Promise<ScenarioResult> {
  const rows = s.beams;
  const rand = seededRandom(2020 + s.beams);
  const logits = createStorageBuffer(device, randomFloats(rand, rows * N_DOCS * VOCAB, -12, 12), 'bench.logits');
  const logitsTensor = ort.Tensor.fromGpuBuffer(logits, { dataType: 'float32', dims: [rows * N_DOCS, 1, VOCAB] });
  const docScores = randomFloats(rand, rows * N_DOCS, 60, 80);
  const beamScores = Float32Array.from({ length: rows }, (_, i) => (i === 0 ? 0 : -1e9 + i));
  // A no-repeat-ngram-like ban on every row.
  const edits = Array.from({ length: rows }, (_, r) => ({ ban: [5 + r, 100 + r, 2000 + r] }));
  const cacheRowElems = HEADS * CACHE_LEN * HEAD_DIM;
  const cacheBuffers = Array.from({ length: s.layers * 2 }, (_, i) => createStorageBuffer(device, randomFloats(seededRandom(i), rows * N_DOCS * cacheRowElems), `bench.cache${i}`));
  const cache = cacheBuffers.map((buffer) => ort.Tensor.fromGpuBuffer(buffer, { dataType: 'float32', dims: [rows * N_DOCS, HEADS, CACHE_LEN, HEAD_DIM] }));
  const stepCache: StepCache | undefined = s.layers > 0 ? { tensors: cache, nDocs: N_DOCS, eosTokenIds: [2], reachesMax: false } : undefined;
  const request: CandidateRequest = { batch: 1, beams: s.beams, vocab: VOCAB, k: s.k, beamScores, edits, ...(stepCache ? { cache: stepCache } : {}) };
  const math = new GpuRagMath(ort, device);
  const shape = { batch: rows, nDocs: N_DOCS, seqLen: 1, vocab: VOCAB };

  let productLast: { top: TopKResult; rows?: Uint32Array } | undefined;
  let previousLast: { top: TopKResult; rows?: Uint32Array } | undefined;
  const product = async () => {
    const out = await math.selectCandidates({ kind: 'marginalize', logits: logitsTensor, docScores, nDocs: N_DOCS }, request);
    for (const t of out.reordered?.tensors ?? []) t.dispose();
    productLast = { top: out, ...(out.reordered ? { rows: out.reordered.nextBeamIndices } : {}) };
  };
  const previous = async () => {
    // Every kernel in a submit of its own, as GpuRagMath did before the kernel runner.
    const scoresBuf = createStorageBuffer(device, docScores, 'bench.docScores');
    const marginal = runMarginalize(device, logits, scoresBuf, shape);
    const logprobs = runLogSoftmax(device, marginal, { rows, vocab: VOCAB });
    const edited = runLogitsEdits(device, logprobs, beamScores, edits, { rows, vocab: VOCAB });
    const top = runTopK(device, edited, { rows: 1, cols: s.beams * VOCAB, k: s.k });
    const ids = await readUint32(device, top.ids, s.k);
    const values = await readFloat32(device, top.values, s.k);
    let chosen: Uint32Array | undefined;
    if (s.layers > 0) {
      // The CPU scorer's choice, then one gather submit per self-attention tensor.
      const selection = beamSelectRef(ids, values, { batch: 1, k: s.k, numBeams: s.beams, vocab: VOCAB, nDocs: N_DOCS, eosTokenIds: [2], reachesMax: false });
      chosen = selection.nextBeamIndices;
      for (const buffer of cacheBuffers) runGatherRows(device, buffer, selection.cacheRows, { rows: rows * N_DOCS, rowSize: cacheRowElems }).destroy();
    }
    for (const b of [scoresBuf, marginal, logprobs, edited, top.ids, top.values]) b.destroy();
    previousLast = { top: { ids, values }, ...(chosen ? { rows: chosen } : {}) };
  };

  const timings = { product: [] as number[], previous: [] as number[] };
  const submits = { product: 0, previous: 0 };
  const timed = async (name: 'product' | 'previous', measured: boolean) => {
    const tracker = trackGpu(device);
    const t0 = performance.now();
    await (name === 'product' ? product() : previous());
    await device.queue.onSubmittedWorkDone();
    const ms = performance.now() - t0;
    tracker.restore();
    if (measured) {
      timings[name].push(ms);
      submits[name] += tracker.submits;
    }
  };
  for (let i = 0; i < warmup + iterations; i++) {
    const order: Array<'product' | 'previous'> = i % 2 === 0 ? ['product', 'previous'] : ['previous', 'product'];
    for (const name of order) await timed(name, i >= warmup);
  }
  for (const b of cacheBuffers) b.destroy();
  logits.destroy();
  return {
    name: s.name,
    shape: { batch: 1, beams: s.beams, nDocs: N_DOCS, vocab: VOCAB, k: s.k, cacheTensors: cache.length, cacheBytes: cache.length * rows * N_DOCS * cacheRowElems * 4 },
    product: summarize(timings.product, submits.product / iterations),
    previous: summarize(timings.previous, submits.previous / iterations),
    agree: sameStep(productLast!, previousLast!),
  };
}

export async function benchDecodeStep(iterations: number, warmup: number, layers: number): Promise<DecodeStepResult> {
  const { device, adapter } = await acquireGpuDevice({ powerPreference: 'high-performance' });
  // Only ORT's Tensor is used (GPU-buffer tensors, as its WebGPU sessions return them).
  const { ort } = await loadOrt();
  const scenarios = [];
  scenarios.push(await benchScenario(ort, device, { name: 'greedy', beams: 1, k: 1, layers: 0 }, iterations, warmup));
  scenarios.push(await benchScenario(ort, device, { name: `beam-4, ${layers}-layer cache`, beams: 4, k: 8, layers }, iterations, warmup));
  device.destroy();
  return { adapter, iterations, warmup, scenarios };
}

function summarize(ms: number[], submitsPerStep: number): PathTiming {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mid = sorted.length / 2;
  const medianMs = sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { medianMs, p10Ms: at(0.1), p90Ms: at(0.9), submitsPerStep };
}

function sameStep(a: { top: TopKResult; rows?: Uint32Array }, b: { top: TopKResult; rows?: Uint32Array }): boolean {
  const ids = a.top.ids.every((id, i) => id === b.top.ids[i]);
  const values = a.top.values.every((v, i) => Math.abs(v - b.top.values[i]!) <= 1e-5 * Math.max(1, Math.abs(v)));
  const rows = (a.rows ?? []).length === (b.rows ?? []).length && (a.rows ?? []).every((r, i) => r === b.rows![i]);
  return ids && values && rows;
}

declare global {
  interface Window {
    /** Set by the page when the bench finishes (read by bench/run.ts). */
    benchResult?: DecodeStepResult;
    benchError?: string;
  }
}

// Page entry: ?iterations=N&warmup=M&layers=L (defaults 30, 3 and 12, BART-large's decoder).
if (typeof document !== 'undefined') {
  const params = new URLSearchParams(location.search);
  const iterations = Number(params.get('iterations') ?? 30);
  const warmup = Number(params.get('warmup') ?? 3);
  const layers = Number(params.get('layers') ?? 12);
  const out = document.getElementById('out')!;
  out.textContent = `running ${iterations} iterations…`;
  benchDecodeStep(iterations, warmup, layers).then(
    (result) => {
      window.benchResult = result;
      out.textContent = JSON.stringify(result, null, 2);
    },
    (error: unknown) => {
      window.benchError = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
      out.textContent = window.benchError;
    },
  );
}

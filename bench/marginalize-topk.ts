/**
 * Micro-benchmark of one RAG-Token decoding step after the generator: marginalize the n_docs
 * seq logits with the doc scores, then top-k, for B = 1, n_docs = 5, V = 50265.
 *
 *   GPU path: logits already in a GPU buffer (as onnxruntime-web leaves them with
 *             preferredOutputLocation 'gpu-buffer') -> marginalize kernel -> top-k kernel, one
 *             command buffer; only the k ids and scores are read back.
 *   CPU path: read the logits and doc scores back, then marginalizeRef + topKRef in JS.
 *
 * Each iteration runs both paths, alternating which goes first, so that a busy machine slows
 * both alike; the page reports per-path medians. Runs in any WebGPU browser: bench/run.ts drives
 * it headless and prints the table.
 */
import { createStorageBuffer, readFloat32 } from '../packages/core/src/gpu/buffers.js';
import { acquireGpuDevice, type GpuAdapterSummary } from '../packages/core/src/gpu/device.js';
import { runMarginalize } from '../packages/core/src/kernels/marginalize/marginalize.js';
import { marginalizeRef } from '../packages/core/src/kernels/marginalize/marginalize.ref.js';
import { readTopK, runTopK } from '../packages/core/src/kernels/top-k/top-k.js';
import { topKRef, type TopKResult } from '../packages/core/src/kernels/top-k/top-k.ref.js';
import { randomFloats, seededRandom } from '../test/seeded-random.js';

export interface PathTiming {
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  /** Bytes copied from the GPU to the CPU in one step. */
  bytesReadBack: number;
}

export interface MarginalizeTopKResult {
  adapter: GpuAdapterSummary;
  shape: { batch: number; nDocs: number; seqLen: number; vocab: number; k: number };
  iterations: number;
  warmup: number;
  gpu: PathTiming;
  cpu: PathTiming;
  /** The last step's ids of both paths are equal, and their scores within 1e-4. */
  agree: boolean;
}

const shape = { batch: 1, nDocs: 5, seqLen: 1, vocab: 50265 };
/** 2·num_beams for num_beams = 4. */
const k = 8;

export async function benchMarginalizeTopK(iterations: number, warmup: number): Promise<MarginalizeTopKResult> {
  const { device, adapter } = await acquireGpuDevice({ powerPreference: 'high-performance' });
  const { batch, nDocs, seqLen, vocab } = shape;
  const rand = seededRandom(2020);
  const logitsHost = randomFloats(rand, batch * nDocs * seqLen * vocab, -12, 12);
  const docScoresHost = randomFloats(rand, batch * nDocs, 60, 80);
  const logits = createStorageBuffer(device, logitsHost, 'bench.seqLogits');
  const docScores = createStorageBuffer(device, docScoresHost, 'bench.docScores');
  const topKShape = { rows: batch * seqLen, cols: vocab, k };

  const gpuStep = async (): Promise<TopKResult> => {
    const encoder = device.createCommandEncoder({ label: 'bench.step' });
    const marginalized = runMarginalize(device, logits, docScores, shape, encoder);
    const selected = runTopK(device, marginalized, topKShape, encoder);
    device.queue.submit([encoder.finish()]);
    const result = await readTopK(device, selected, topKShape.rows, k);
    for (const b of [marginalized, selected.ids, selected.values]) b.destroy();
    return result;
  };
  const cpuStep = async (): Promise<TopKResult> => {
    const [seqLogits, scores] = await Promise.all([
      readFloat32(device, logits, logitsHost.length),
      readFloat32(device, docScores, docScoresHost.length),
    ]);
    return topKRef(marginalizeRef(seqLogits, scores, shape), topKShape);
  };

  const gpuMs: number[] = [];
  const cpuMs: number[] = [];
  let gpuLast: TopKResult | undefined;
  let cpuLast: TopKResult | undefined;
  const timed = async (step: () => Promise<TopKResult>, into: number[] | undefined): Promise<TopKResult> => {
    const t0 = performance.now();
    const result = await step();
    into?.push(performance.now() - t0);
    return result;
  };
  for (let i = 0; i < warmup + iterations; i++) {
    const measured = i >= warmup;
    const runGpu = async (): Promise<void> => void (gpuLast = await timed(gpuStep, measured ? gpuMs : undefined));
    const runCpu = async (): Promise<void> => void (cpuLast = await timed(cpuStep, measured ? cpuMs : undefined));
    if (i % 2 === 0) {
      await runGpu();
      await runCpu();
    } else {
      await runCpu();
      await runGpu();
    }
  }
  logits.destroy();
  docScores.destroy();
  device.destroy();

  return {
    adapter,
    shape: { ...shape, k },
    iterations,
    warmup,
    gpu: summarize(gpuMs, topKShape.rows * k * 8),
    cpu: summarize(cpuMs, (logitsHost.length + docScoresHost.length) * 4),
    agree: sameTopK(gpuLast!, cpuLast!),
  };
}

function summarize(ms: number[], bytesReadBack: number): PathTiming {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mid = sorted.length / 2;
  const medianMs = sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { medianMs, p10Ms: at(0.1), p90Ms: at(0.9), bytesReadBack };
}

function sameTopK(a: TopKResult, b: TopKResult): boolean {
  return a.ids.every((id, i) => id === b.ids[i]) && a.values.every((v, i) => Math.abs(v - b.values[i]!) <= 1e-4 * Math.max(1, Math.abs(v)));
}

declare global {
  interface Window {
    /** Set by the page when the bench finishes (read by bench/run.ts). */
    benchResult?: MarginalizeTopKResult;
    benchError?: string;
  }
}

// Page entry: ?iterations=N&warmup=M (defaults 50 and 5).
if (typeof document !== 'undefined') {
  const params = new URLSearchParams(location.search);
  const iterations = Number(params.get('iterations') ?? 50);
  const warmup = Number(params.get('warmup') ?? 5);
  const out = document.getElementById('out')!;
  out.textContent = `running ${iterations} iterations…`;
  benchMarginalizeTopK(iterations, warmup).then(
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

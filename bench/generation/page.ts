/**
 * Entry of bench/generation/index.html: this project's side of the generation bench in Chromium
 * (bench/generation/measure.ts), on WebGPU or the WASM EP, as a page runs it. run.ts serves the
 * system's SPEC and the model folder under /bench-generation/.
 *
 * Every queue submit and every read-back (`mapAsync` for reading) on the model's device is counted
 * (test/gpu-tracking.ts), ours and onnxruntime-web's alike. With `readBack`, the GPU-resident step is switched off: each step
 * downloads the decoder's logits and selects candidates with the TypeScript references (the KV
 * cache stays on the GPU), as an app that reads logits back after every ORT run would.
 */
import { RagModel, type DeviceType, type ProgressInfo } from '../../packages/models/src/index.js';
import { CpuRagMath } from '../../packages/models/src/decoding/cpu-rag-math.js';
import { GpuRagMath } from '../../packages/models/src/decoding/gpu-rag-math.js';
import { trackGpu } from '../../test/gpu-tracking.js';
import { pageMemoryBytes } from '../page-memory.js';
import { measureOurs } from './measure.js';
import type { BenchInputs, Scenario } from './scenarios.js';

export interface BrowserSpec {
  system: string;
  device: Extract<DeviceType, 'wasm' | 'webgpu'>;
  readBack: boolean;
  dtype: 'fp32' | 'fp16' | 'q8' | 'q4';
  threads: number;
  repeats: number;
  scenarios: Scenario[];
  inputs: BenchInputs;
}

declare global {
  interface Window {
    generationResult?: unknown;
    generationError?: string;
  }
}

const out = document.getElementById('out')!;
const log = (line: string) => {
  console.info(line);
  out.textContent += `${line}\n`;
};

async function main() {
  const spec = (await (await fetch('/bench-generation/spec.json')).json()) as BrowserSpec;
  let weightBytes = 0;
  const t0 = performance.now();
  const rag = await RagModel.fromPretrained(new URL('/bench-generation/model/', location.href).href, {
    device: spec.device,
    dtype: spec.dtype,
    cache: null,
    numThreads: spec.threads,
    progressCallback: (e: ProgressInfo) => {
      if (e.status === 'ready') weightBytes = e.aggregate.total;
    },
  });
  const loadMs = performance.now() - t0;
  log(`${spec.system}: loaded on ${rag.device} in ${(loadMs / 1000).toFixed(1)} s`);
  if (spec.readBack) {
    if (rag.device !== 'webgpu') throw new Error(`readBack needs WebGPU, the model runs on ${rag.device}`);
    const cpu = new CpuRagMath(rag.components.ort);
    // Without the cache, the decode loop reorders it with gatherRows on the GPU, as before the fused step.
    GpuRagMath.prototype.selectCandidates = function (step, { cache: _, ...request }) {
      return cpu.selectCandidates(step, request);
    };
  }
  const afterLoadBytes = await pageMemoryBytes();
  const gpu = rag.components.gpuDevice ? trackGpu(rag.components.gpuDevice) : undefined;
  const scenarios = await measureOurs(rag, spec.inputs, spec.scenarios, spec.repeats, gpu && (() => ({ readBackBytes: gpu.readBackBytes, submits: gpu.allSubmits })));
  gpu?.restore();
  const result = {
    system: spec.system,
    device: rag.device,
    dtype: spec.dtype,
    threads: spec.threads,
    loadMs: Math.round(loadMs),
    weightBytes,
    pageMemory: { afterLoadBytes, atEndBytes: await pageMemoryBytes() },
    scenarios,
  };
  await rag.dispose();
  return result;
}

main().then(
  (result) => {
    log(JSON.stringify(result.scenarios.map((s) => ({ name: s.name, stepMedianMs: s.stepMedianMs, readBackBytesPerStep: s.readBackBytesPerStep, submitsPerStep: s.submitsPerStep }))));
    window.generationResult = result;
  },
  (err: unknown) => {
    window.generationError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    log(`failed: ${window.generationError}`);
  },
);

/**
 * Entry of bench/startup/index.html?model=URL&device=wasm|webgpu&dtype=q8&phase=network|cache:
 * the page starts the worker (bench/startup/worker.ts) and asks it for the model, then asks the
 * same worker once more (`warm`: onnxruntime already initialized, files in Cache Storage).
 * Times are from the page's navigation start (performance.timeOrigin) to the worker's ready.
 */
import { pageMemoryBytes } from '../page-memory.js';
import type { LoadReport, LoadRequest } from './worker.js';

export interface StartupPhase {
  phase: string;
  /** Navigation start → ready (network and cache); request → ready (warm). */
  toReadyMs: number;
  loadMs: number;
  device: string;
  weightBytes: number;
  downloadedBytes: number;
  /** The page's and its worker's memory as Chromium measures it (WASM heaps included) at ready; null where unsupported. */
  memoryBytes: number | null;
}

declare global {
  interface Window {
    startupResult?: StartupPhase[];
    startupError?: string;
  }
}

const params = new URLSearchParams(location.search);
const request: LoadRequest = {
  modelUrl: new URL(params.get('model') ?? '/public/models/world-facts/', location.href).href,
  device: (params.get('device') ?? 'wasm') as LoadRequest['device'],
  dtype: (params.get('dtype') ?? 'q8') as LoadRequest['dtype'],
};
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });

function load(): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<{ report?: LoadReport; error?: string }>) => (e.data.report ? resolve(e.data.report) : reject(new Error(e.data.error)));
    worker.postMessage(request);
  });
}

async function main(): Promise<StartupPhase[]> {
  const phase = async (name: string, report: LoadReport, fromMs: number): Promise<StartupPhase> => ({
    phase: name,
    // The worker's clock has its own origin: put its ready time on the page's clock.
    toReadyMs: report.timeOrigin + report.readyAt - performance.timeOrigin - fromMs,
    loadMs: report.loadMs,
    device: report.device,
    weightBytes: report.weightBytes,
    downloadedBytes: report.downloadedBytes,
    memoryBytes: await pageMemoryBytes(),
  });
  const first = await phase(params.get('phase') ?? 'network', await load(), 0);
  const asked = performance.now();
  const warm = await phase('warm worker', await load(), asked);
  return [first, warm];
}

main().then(
  (result) => {
    window.startupResult = result;
  },
  (err: unknown) => {
    window.startupError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  },
);

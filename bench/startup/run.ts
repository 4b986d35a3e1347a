/**
 * Start-up: page load to a ready model, in headless Chromium, for each model × dtype × device:
 * - `network`: a fresh browser context (empty Cache Storage), every file fetched from the server;
 * - `cache`: the same page loaded again in that context, every file from Cache Storage;
 * - `warm worker`: after each of those, the same worker asked to load the model once more
 *   (onnxruntime initialized, files cached: session creation alone).
 * Peak memory: every Chromium process's resident bytes summed (sampled) and the worker's
 * `performance.measureUserAgentSpecificMemory()` at ready.
 *
 *   pnpm bench:startup [--models default=public/models/world-facts:q8,base=/tmp/bm/base/model:fp32] [--devices wasm,webgpu] [--out bench/results]
 *
 * The server is the Vite dev server on localhost: "network" here is loopback, the lower bound
 * of a download; the bytes fetched are in the JSON to scale by a real link's bandwidth. A
 * throwaway page in another browser context runs first, so that the dev server's one-time
 * module transforms are not counted.
 * Node 20 cannot strip types: bench/startup/run.mjs loads this file through Vite's module runner.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ragWebVite } from '../../packages/models/src/vite-plugin.js';
import { runBenchPages, serveFolder } from '../browser-harness.js';
import { writeChart } from '../chart/png.js';
import { machineFacts } from '../machine.js';
import type { StartupPhase } from './page.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const models = arg('models', 'default=public/models/world-facts:q8').split(',').map((entry) => {
  const match = /^([^=]+)=(.+):(fp32|fp16|q8|q4)$/.exec(entry);
  if (!match) throw new Error(`--models entries are LABEL=FOLDER:DTYPE, not ${entry}`);
  return { label: match[1]!, folder: resolve(match[2]!), dtype: match[3]! };
});
const devices = arg('devices', 'wasm,webgpu').split(',');
const outDir = resolve(arg('out', 'bench/results'));

interface StartupRow extends StartupPhase {
  model: string;
  dtype: string;
  requested: string;
  peakRssBytes: number;
}

/** A model × device that did not load (e.g. past the 4 GiB of a WASM heap): what Chromium said. */
interface StartupFailure {
  model: string;
  dtype: string;
  requested: string;
  error: string;
}

const loadBefore = loadavg();
const rows: StartupRow[] = [];
const failures: StartupFailure[] = [];
for (const model of models) {
  for (const device of devices) {
    console.error(`[bench:startup] ${model.label} ${model.dtype} on ${device} …`);
    const query = (phase: string) => `bench/startup/index.html?model=/bench-startup/model/&device=${device}&dtype=${model.dtype}&phase=${phase}`;
    try {
      const pages = await runBenchPages<StartupPhase[]>({
        paths: [query('network'), query('cache')],
        warmUp: query('warm-up'),
        resultKey: 'startupResult',
        errorKey: 'startupError',
        timeoutMs: 3_600_000,
        plugins: [ragWebVite(), serveFolder('/bench-startup/model/', isAbsolute(model.folder) ? model.folder : join(process.cwd(), model.folder))],
      });
      for (const { result, peakRssBytes } of pages) {
        for (const phase of result) rows.push({ model: model.label, dtype: model.dtype, requested: device, ...phase, peakRssBytes });
      }
    } catch (err) {
      // A model too large for the page is a result too: the next model still runs.
      failures.push({ model: model.label, dtype: model.dtype, requested: device, error: err instanceof Error ? err.message : String(err) });
      console.error(`[bench:startup] ${model.label} ${model.dtype} on ${device} failed: ${failures.at(-1)!.error}`);
    }
  }
}

const mb = (bytes: number | null) => (bytes === null ? '–' : `${(bytes / 2 ** 20).toFixed(0)} MiB`);
console.log('| model | dtype | device | phase | to ready, s | of which fromPretrained, s | fetched | peak RSS (all Chromium processes) | worker memory at ready | weight bytes |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.model} | ${r.dtype} | ${r.device} | ${r.phase} | ${(r.toReadyMs / 1000).toFixed(2)} | ${(r.loadMs / 1000).toFixed(2)} | ${mb(r.downloadedBytes)} | ${mb(r.peakRssBytes)} | ${mb(r.memoryBytes)} | ${mb(r.weightBytes)} |`);
}
for (const f of failures) console.log(`| ${f.model} | ${f.dtype} | ${f.requested} | failed: ${f.error.slice(0, 200)} |`);
const machine = machineFacts();
mkdirSync(outDir, { recursive: true });
const file = join(outDir, `startup-${machine.cores}core.json`);
writeFileSync(file, `${JSON.stringify({ suite: 'startup', date: new Date().toISOString(), machine, loadAverage: { before: loadBefore, after: loadavg() }, adapter: 'Chromium headless; WebGPU on SwiftShader (test/chromium.ts flags)', rows, failures }, null, 1)}\n`);
console.error(`[bench:startup] wrote ${file} and ${await writeChart(file)}`);

/**
 * Runs the kernel benchmarks in headless Chromium (WebGPU; SwiftShader with test/chromium.ts's
 * flags, a real GPU with CHROMIUM_PATH/flags that expose one) and prints the results table.
 * Serves bench/kernels.html with a Vite dev server under the repository's conventions: the
 * `source` resolve condition, COOP/COEP headers, localhost.
 *
 *   pnpm bench:kernels [--iterations N] [--warmup M] [--layers L] [--hardware | --node] [--out bench/results]
 *
 * --hardware drops the SwiftShader flags so that Chromium picks the machine's GPU (with Vulkan
 * enabled, which Linux Chromium needs for WebGPU on a GPU). --node runs the same bench in this
 * Node process on Dawn's Node binding (the `webgpu` package): the machine's GPU where Chromium
 * cannot run (a headless GPU server), SwiftShader under scripts/with-swiftshader-vulkan.sh.
 *
 * Node 20 cannot strip types, so bench/run.mjs loads this file through Vite's module runner.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromiumWebGpuArgs } from '../test/chromium.js';
import { runBenchPage } from './browser-harness.js';
import { writeChart } from './chart/png.js';
import { machineFacts } from './machine.js';
import { benchDecodeStep, type DecodeStepResult } from './decode-step.js';
import { ensureNodeWebGpu } from '../packages/models/src/ort/node-webgpu.js';
import { formatDecodeStep } from './report.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} needs a non-negative integer`);
  return value;
}

const iterations = option('iterations', 30);
const warmup = option('warmup', 3);
const layers = option('layers', 12);
const node = process.argv.includes('--node');
async function inNode(): Promise<DecodeStepResult> {
  await ensureNodeWebGpu();
  return benchDecodeStep(iterations, warmup, layers);
}
const result = node ? await inNode() : await runBenchPage<DecodeStepResult>({
  path: `bench/kernels.html?iterations=${iterations}&warmup=${warmup}&layers=${layers}`,
  resultKey: 'benchResult',
  errorKey: 'benchError',
  timeoutMs: 600_000,
  chromiumArgs: process.argv.includes('--hardware')
    ? [...chromiumWebGpuArgs.filter((a) => !a.includes('swiftshader')), '--enable-features=Vulkan']
    : chromiumWebGpuArgs,
});
console.log(formatDecodeStep(result));

const outIndex = process.argv.indexOf('--out');
const outDir = resolve(outIndex >= 0 ? process.argv[outIndex + 1]! : 'bench/results');
mkdirSync(outDir, { recursive: true });
const machine = machineFacts();
const adapterKind = /swiftshader/i.test(`${result.adapter.vendor} ${result.adapter.architecture} ${result.adapter.description}`) ? 'swiftshader' : 'gpu';
const host = node ? 'node' : 'chromium';
const file = join(outDir, `kernels-${machine.cores}core-${host}-${adapterKind}.json`);
writeFileSync(file, `${JSON.stringify({ suite: 'kernels', date: new Date().toISOString(), machine, host, ...result }, null, 1)}\n`);
console.error(`[bench:kernels] wrote ${file} and ${await writeChart(file)}`);

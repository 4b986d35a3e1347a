/**
 * Runs the kernel benchmarks in headless Chromium (WebGPU; SwiftShader with test/chromium.ts's
 * flags, a real GPU with CHROMIUM_PATH/flags that expose one) and prints the results table.
 * Serves bench/kernels.html with a Vite dev server under the repository's conventions: the
 * `source` resolve condition, COOP/COEP headers, localhost.
 *
 *   pnpm bench:kernels [--iterations N] [--warmup M] [--hardware]
 *
 * --hardware drops the SwiftShader flags so that Chromium picks the machine's GPU (with Vulkan
 * enabled, which Linux Chromium needs for WebGPU on a GPU).
 *
 * Node 20 cannot strip types, so bench/run.mjs loads this file through Vite's module runner.
 */
import { chromium } from 'playwright';
import { createServer, defaultClientConditions } from 'vite';
import { chromiumExecutable, chromiumWebGpuArgs } from '../test/chromium.js';
import { crossOriginIsolationHeaders } from '../vite.config.js';
import { formatMarginalizeTopK } from './report.js';

const repoRoot = new URL('..', import.meta.url).pathname;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} needs a non-negative integer`);
  return value;
}

const iterations = option('iterations', 50);
const warmup = option('warmup', 5);
const server = await createServer({
  configFile: false,
  root: repoRoot,
  logLevel: 'warn',
  resolve: { conditions: ['source', ...defaultClientConditions] },
  // The page imports only our own sources: skip scanning the repository for dependencies.
  optimizeDeps: { noDiscovery: true, include: [] },
  server: { host: 'localhost', port: 0, headers: crossOriginIsolationHeaders },
});
const args = process.argv.includes('--hardware')
  ? [...chromiumWebGpuArgs.filter((a) => !a.includes('swiftshader')), '--enable-features=Vulkan']
  : chromiumWebGpuArgs;
const browser = await chromium.launch({ executablePath: chromiumExecutable, args, headless: true });
try {
  await server.listen();
  const base = server.resolvedUrls?.local[0];
  if (!base) throw new Error('the Vite dev server reported no local URL');
  const page = await browser.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') console.error(`[page ${msg.type()}] ${msg.text()}`);
  });
  await page.goto(new URL(`bench/kernels.html?iterations=${iterations}&warmup=${warmup}`, base).href);
  await page.waitForFunction(() => window.benchResult !== undefined || window.benchError !== undefined, undefined, {
    timeout: 600_000,
    polling: 250,
  });
  const { result, error } = await page.evaluate(() => ({ result: window.benchResult, error: window.benchError }));
  if (!result) throw new Error(`the bench page failed: ${error}`);
  console.log(formatMarginalizeTopK(result));
} finally {
  await browser.close();
  await server.close();
}

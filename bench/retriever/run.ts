/**
 * Runs the retrieval benchmark in headless Chromium (WebGPU on SwiftShader with
 * test/chromium.ts's flags) and prints the table:
 *
 *   pnpm bench:retriever [--data uniform|lowrank] [--n 100000] [--dim 768] [--queries 50] [--k 10] [--ef 64,256,1000,4000]
 *
 * Serves the repository with a Vite dev server (the `source` condition, COOP/COEP, localhost) and
 * opens bench/retriever/index.html. Node 20 cannot strip types: bench/retriever/run.mjs loads
 * this file through Vite's module runner.
 */
import { chromium } from 'playwright';
import { createServer, defaultClientConditions } from 'vite';
import { chromiumExecutable, chromiumWebGpuArgs } from '../../test/chromium.js';
import { crossOriginIsolationHeaders } from '../../vite.config.js';
import { formatRetrieverBench } from './report.js';

const repoRoot = new URL('../..', import.meta.url).pathname;

const query = new URLSearchParams();
for (const name of ['data', 'n', 'dim', 'queries', 'k', 'ef']) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) query.set(name, process.argv[i + 1] ?? '');
}

const server = await createServer({
  configFile: false,
  root: repoRoot,
  logLevel: 'warn',
  resolve: { conditions: ['source', ...defaultClientConditions] },
  optimizeDeps: { noDiscovery: true, include: [] },
  // No HMR: editing a source while a long run is under way must not reload the page.
  server: { host: 'localhost', port: 0, headers: crossOriginIsolationHeaders, hmr: false, watch: null },
});
const browser = await chromium.launch({ executablePath: chromiumExecutable, args: chromiumWebGpuArgs, headless: true });
try {
  await server.listen();
  const base = server.resolvedUrls?.local[0];
  if (!base) throw new Error('the Vite dev server reported no local URL');
  const page = await browser.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'info') console.log(`  ${msg.text()}`);
    else if (msg.type() === 'error' || msg.type() === 'warning') console.error(`[page ${msg.type()}] ${msg.text()}`);
  });
  await page.goto(new URL(`bench/retriever/index.html?${query}`, base).href);
  await page.waitForFunction(() => window.retrieverBenchResult !== undefined || window.retrieverBenchError !== undefined, undefined, {
    timeout: 3_600_000,
    polling: 1000,
  });
  const { result, error } = await page.evaluate(() => ({ result: window.retrieverBenchResult, error: window.retrieverBenchError }));
  if (!result) throw new Error(`the bench page failed: ${error}`);
  console.log(`\n${formatRetrieverBench(result)}`);
} finally {
  await browser.close();
  await server.close();
}

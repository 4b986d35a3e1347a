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
import { runBenchPage } from '../browser-harness.js';
import { formatRetrieverBench } from './report.js';
import type { RetrieverBenchResult } from './retriever-bench.js';

const query = new URLSearchParams();
for (const name of ['data', 'n', 'dim', 'queries', 'k', 'ef']) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) query.set(name, process.argv[i + 1] ?? '');
}

const result = await runBenchPage<RetrieverBenchResult>({
  path: `bench/retriever/index.html?${query}`,
  resultKey: 'retrieverBenchResult',
  errorKey: 'retrieverBenchError',
  timeoutMs: 3_600_000,
  echo: ['info'],
});
console.log(`\n${formatRetrieverBench(result)}`);

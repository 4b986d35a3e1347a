/**
 * The shipped default (public/models/world-facts, q8) on the test split's fixed sample, in headless
 * Chromium on WebGPU (SwiftShader here) and on WASM, one after the other in one run:
 *
 *   pnpm bench:world-facts [--n 100]
 *
 * Node 20 cannot strip types: bench/world-facts/run.mjs loads this file through Vite's module runner.
 */
import { runBenchPage } from '../browser-harness.js';
import { onnxRuntimeAssets } from '../../vite.config.js';
import type { WorldFactsEval } from './evaluate.js';

const i = process.argv.indexOf('--n');
const n = i >= 0 ? Number(process.argv[i + 1]) : 100;
const rows: WorldFactsEval[] = [];
for (const device of ['webgpu', 'wasm']) {
  rows.push(
    await runBenchPage<WorldFactsEval>({
      path: `bench/world-facts/index.html?device=${device}&n=${n}`,
      resultKey: 'worldFactsResult',
      errorKey: 'worldFactsError',
      timeoutMs: 3_600_000,
      echo: ['info'],
      plugins: [onnxRuntimeAssets()],
    }),
  );
}
console.log('\n| backend | questions | recall@5 (gold passage) | exact match | ms / question |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.device} | ${r.questions} | ${r.recallAt5.toFixed(3)} | ${r.exactMatch.toFixed(3)} | ${r.msPerQuestion.toFixed(0)} |`);
console.log(JSON.stringify(rows.map(({ errors, ...rest }) => ({ ...rest, firstErrors: errors.slice(0, 5) }))));

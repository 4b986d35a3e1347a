/**
 * The shipped default (public/models/world-facts, q8) on the test split's fixed sample, in headless
 * Chromium on WebGPU (SwiftShader here) and on WASM, one after the other in one run:
 *
 *   pnpm bench:world-facts [--n 100] [--from 0] [--devices webgpu,wasm]
 *
 * `--from F` evaluates questions F… of the fixed sample only: SwiftShader takes ~45 s a question,
 * so a long run can be finished in parts (the sample is the same in every part).
 *
 * Node 20 cannot strip types: bench/world-facts/run.mjs loads this file through Vite's module runner.
 */
import { runBenchPage } from '../browser-harness.js';
import { ragWebVite } from '../../packages/models/src/vite-plugin.js';
import type { WorldFactsEval } from './evaluate.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const n = Number(arg('n', '100'));
const from = Number(arg('from', '0'));
const rows: WorldFactsEval[] = [];
for (const device of arg('devices', 'webgpu,wasm').split(',')) {
  rows.push(
    await runBenchPage<WorldFactsEval>({
      path: `bench/world-facts/index.html?device=${device}&n=${n}&from=${from}`,
      resultKey: 'worldFactsResult',
      errorKey: 'worldFactsError',
      timeoutMs: 3_600_000,
      echo: ['info'],
      plugins: [ragWebVite()],
    }),
  );
}
console.log(`\nfixed sample of ${n}, questions ${from}…${n - 1}`);
console.log('| backend | questions | recall@5 (gold passage) | exact match | ms / question |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.device} | ${r.questions} | ${r.recallAt5.toFixed(3)} | ${r.exactMatch.toFixed(3)} | ${r.msPerQuestion.toFixed(0)} |`);
console.log(JSON.stringify(rows.map(({ errors, ...rest }) => ({ ...rest, firstErrors: errors.slice(0, 5) }))));

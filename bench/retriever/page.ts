// Entry of bench/retriever/index.html: reads the options from the URL, runs the bench, publishes
// the result on `window` for bench/retriever/run.ts (or shows it when opened by hand).
import { HNSW_DEFAULTS } from '../../packages/retriever/src/hnsw-index.js';
import { formatRetrieverBench } from './report.js';
import { benchRetriever, type RetrieverBenchResult } from './retriever-bench.js';

declare global {
  interface Window {
    retrieverBenchResult?: RetrieverBenchResult;
    retrieverBenchError?: string;
  }
}

const params = new URLSearchParams(location.search);
const num = (name: string, fallback: number) => Number(params.get(name) ?? fallback);
const out = document.getElementById('out')!;
const efSearch = (params.get('ef') ?? `64,256,1000,${HNSW_DEFAULTS.efSearch}`).split(',').map(Number);

benchRetriever({
  data: params.get('data') === 'lowrank' ? 'lowrank' : 'uniform',
  n: num('n', 100_000),
  dim: num('dim', 768),
  queries: num('queries', 50),
  k: num('k', 10),
  efSearch,
  progress: (line) => {
    console.info(line);
    out.textContent += `${line}\n`;
  },
}).then(
  (result) => {
    out.textContent += `\n${formatRetrieverBench(result)}\n`;
    window.retrieverBenchResult = result;
  },
  (err: unknown) => {
    window.retrieverBenchError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    out.textContent += `\nfailed: ${window.retrieverBenchError}\n`;
  },
);

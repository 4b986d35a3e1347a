// Entry of bench/retriever/index.html: reads the options from the URL, runs the bench, publishes
// the result on `window` for bench/retriever/run.ts (or shows it when opened by hand).
import { formatRetrieverBench } from './report.js';
import { benchRetriever, type RetrieverBenchResult } from './retriever-bench.js';
import { ALL_SYSTEMS, type SystemId } from './systems.js';
import type { BenchData } from './data.js';

declare global {
  interface Window {
    retrieverBenchResult?: RetrieverBenchResult;
    retrieverBenchError?: string;
  }
}

export const DEFAULT_EF_LIST = [10, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096];

const params = new URLSearchParams(location.search);
const num = (name: string, fallback: number) => Number(params.get(name) ?? fallback);
const list = (name: string) => params.get(name)?.split(',').filter(Boolean);
const out = document.getElementById('out')!;
const data = (params.get('data') ?? 'lowrank') as BenchData;
if (!['uniform', 'lowrank', 'world-facts'].includes(data)) throw new Error(`unknown data "${data}"`);
const systems = (list('libs') ?? ALL_SYSTEMS) as SystemId[];
for (const s of systems) if (!ALL_SYSTEMS.includes(s)) throw new Error(`unknown system "${s}" (known: ${ALL_SYSTEMS.join(', ')})`);

benchRetriever({
  data,
  n: num('n', data === 'world-facts' ? Number.MAX_SAFE_INTEGER : 100_000),
  dim: num('dim', 768),
  queries: num('queries', 200),
  k: num('k', 10),
  efList: (list('ef') ?? DEFAULT_EF_LIST).map(Number).sort((a, b) => a - b),
  target: num('target', 0.98),
  repeats: num('repeats', 3),
  normalize: params.get('normalize') !== '0',
  systems,
  budgetS: num('budget', 1800),
  persist: params.get('persist') !== '0',
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

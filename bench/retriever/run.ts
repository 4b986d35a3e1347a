/**
 * Runs the retrieval benchmark in headless Chromium (WebGPU on SwiftShader with
 * test/chromium.ts's flags), prints the tables and merges the run into
 * bench/results/retriever-<cores>core.json (one entry per data × n × dim, replaced on a rerun):
 *
 *   pnpm bench:retriever [--data lowrank|uniform|world-facts] [--n 100000] [--dim 768] [--queries 200] [--k 10]
 *                        [--libs exact-cpu,exact-gpu,ours,hnswlib,edgevec,voy,mememo] [--ef 10,16,…,4096]
 *                        [--target 0.98] [--repeats 3] [--normalize 1] [--budget 1800] [--persist 1] [--out bench/results]
 *
 * Serves the repository with a Vite dev server (the `source` condition, COOP/COEP, localhost) and
 * opens bench/retriever/index.html. Node 20 cannot strip types: bench/retriever/run.mjs loads
 * this file through Vite's module runner.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { runBenchPage } from '../browser-harness.js';
import { formatRetrieverBench, PARTIAL_MARKER, type Versions } from './report.js';
import type { RetrieverBenchResult, SystemResult } from './retriever-bench.js';

const repoRoot = new URL('../..', import.meta.url).pathname;
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? '') : undefined;
};
const query = new URLSearchParams();
for (const name of ['data', 'n', 'dim', 'queries', 'k', 'libs', 'ef', 'target', 'repeats', 'normalize', 'budget', 'persist']) {
  const value = arg(name);
  if (value !== undefined) query.set(name, value);
}
const outDir = resolve(arg('out') ?? join(repoRoot, 'bench/results'));

/** Installed versions, read from the package folders (pnpm links them; hnswlib-wasm through packages/retriever). */
const versions: Versions = {};
for (const [pkg, dir] of [
  ['hnswlib-wasm', 'packages/retriever/node_modules/hnswlib-wasm'],
  ['edgevec', 'node_modules/edgevec'],
  ['voy-search', 'node_modules/voy-search'],
  ['mememo', 'node_modules/mememo'],
  ['playwright', 'node_modules/playwright'],
] as const) {
  const file = join(repoRoot, dir, 'package.json');
  if (existsSync(file)) versions[pkg] = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryBytes: totalmem() };
const file = join(outDir, `retriever-${machine.cores}core.json`);
type ResultsFile = { suite: 'retriever'; machine: typeof machine; versions: Versions; runs: Record<string, unknown> };
const save = (key: string, run: Record<string, unknown>) => {
  const previous: ResultsFile | undefined = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ResultsFile) : undefined;
  mkdirSync(outDir, { recursive: true });
  const runs = { ...(previous?.runs ?? {}), [key]: run };
  writeFileSync(file, `${JSON.stringify({ suite: 'retriever', machine, versions, runs } satisfies ResultsFile, null, 1)}\n`);
  console.log(`\nwrote ${file} (run "${key}")`);
};

// The page reports each finished system on a console line (echoed through console.log): keep
// them out of the output, and in the JSON should the tab die before the end.
const partial: SystemResult[] = [];
const log = console.log.bind(console);
console.log = (...args: unknown[]) => {
  const line = args[0];
  const at = typeof line === 'string' ? line.indexOf(PARTIAL_MARKER) : -1;
  if (at < 0) return log(...args);
  partial.push(JSON.parse((line as string).slice(at + PARTIAL_MARKER.length)) as SystemResult);
};

// Other work on this machine shows in the tails: the load average before and after goes into the JSON.
const load = { before: loadavg(), after: [] as number[] };
const t0 = Date.now();
let result: RetrieverBenchResult;
try {
  result = await runBenchPage<RetrieverBenchResult>({
    path: `bench/retriever/index.html?${query}`,
    resultKey: 'retrieverBenchResult',
    errorKey: 'retrieverBenchError',
    timeoutMs: 6 * 3_600_000,
    echo: ['info'],
  });
} catch (err) {
  load.after = loadavg();
  const key = `failed-${query.get('data') ?? 'lowrank'}-${query.get('n') ?? 'default'}`;
  save(key, { date: new Date().toISOString(), wallMs: Date.now() - t0, loadavg: load, query: Object.fromEntries(query), error: String(err), partial });
  throw err;
} finally {
  console.log = log;
}
load.after = loadavg();
const table = formatRetrieverBench(result, versions);
console.log(`\n${table}`);
const key = `${result.data}-${result.n}x${result.dim}${result.normalized ? '' : '-raw'}${query.has('libs') ? `-${query.get('libs')}` : ''}`;
save(key, { date: new Date().toISOString(), wallMs: Date.now() - t0, loadavg: load, query: Object.fromEntries(query), result, table });

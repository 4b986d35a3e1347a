// Entry of bench/world-facts/index.html: ?device=webgpu|wasm&n=100 — evaluates the shipped default
// on a fixed sample of the test split and publishes the result for bench/world-facts/run.ts.
import type { DeviceType } from '../../packages/models/src/index.js';
import { evaluateWorldFacts, fixedSample, type QaPair, type WorldFactsEval } from './evaluate.js';

declare global {
  interface Window {
    worldFactsResult?: WorldFactsEval;
    worldFactsError?: string;
  }
}

const params = new URLSearchParams(location.search);
const out = document.getElementById('out')!;
const log = (line: string) => {
  console.info(line);
  out.textContent += `${line}\n`;
};

async function main(): Promise<WorldFactsEval> {
  const text = await (await fetch('/fixtures/world-facts/qa-test.jsonl')).text();
  const pairs = text.trim().split('\n').map((l) => JSON.parse(l) as QaPair);
  return evaluateWorldFacts({
    device: (params.get('device') ?? 'webgpu') as DeviceType,
    pairs: fixedSample(pairs, Number(params.get('n') ?? 100)).slice(Number(params.get('from') ?? 0)),
    modelUrl: '/public/models/world-facts',
    kbUrl: '/public/kb/world-facts/',
    progress: log,
  });
}

main().then(
  (result) => {
    log(JSON.stringify(result, null, 1));
    window.worldFactsResult = result;
  },
  (err: unknown) => {
    window.worldFactsError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    log(`failed: ${window.worldFactsError}`);
  },
);

// What every Node system of the generation bench shares: the SPEC run.ts writes and memory readings.
import { readFileSync } from 'node:fs';
import type { BenchInputs, Scenario } from './scenarios.js';

export interface SystemSpec {
  model: string;
  device: 'cpu' | 'wasm' | 'transformersjs' | 'transformersjs-wasm';
  dtype: 'fp32' | 'fp16' | 'q8' | 'q4';
  inputs: string;
  threads: number;
  repeats: number;
  scenarios: Scenario[];
}

/** The SPEC named on the command line and the contexts it points at. */
export function readSpec(): { spec: SystemSpec; inputs: BenchInputs } {
  const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as SystemSpec;
  return { spec, inputs: JSON.parse(readFileSync(spec.inputs, 'utf8')) as BenchInputs };
}

export function memory() {
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, externalBytes: m.external, arrayBuffersBytes: m.arrayBuffers };
}

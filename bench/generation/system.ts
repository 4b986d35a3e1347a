// What every Node system of the generation bench shares: the SPEC run.ts writes and memory readings.
import { readFileSync, writeFileSync } from 'node:fs';
import type { PeakMemory } from './scenarios.js';
import type { BenchInputs, Scenario } from './scenarios.js';

export interface SystemSpec {
  model: string;
  device: 'cpu' | 'wasm' | 'webgpu' | 'transformersjs' | 'transformersjs-wasm';
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

/**
 * This process's peak RSS per scenario: Linux keeps a high-water mark (VmHWM, also what
 * getrusage's maxrss reads) that writing 5 to clear_refs resets, so one process gives each
 * scenario its own peak; the mark before each reset is kept for the whole run's. Undefined off Linux.
 */
export function processPeakMemory(): PeakMemory | undefined {
  if (process.platform !== 'linux') return undefined;
  const mark = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
  let before = 0;
  return {
    reset: () => {
      before = Math.max(before, mark());
      writeFileSync('/proc/self/clear_refs', '5');
    },
    peakBytes: mark,
    overallPeakBytes: () => Math.max(before, mark()),
  };
}

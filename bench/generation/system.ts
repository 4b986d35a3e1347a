// What every system of the generation bench shares: the SPEC run.ts writes, memory readings, and
// the timing protocol (one warm-up, then `repeats` short and long runs, medians).
import { readFileSync } from 'node:fs';
import { median } from '../stats.js';
import type { ScenarioResult } from './report.js';

export interface Scenario {
  name: string;
  variant: 'token' | 'sequence';
  numBeams: number;
  short: number;
  long: number;
}

export interface SystemSpec {
  model: string;
  device: 'cpu' | 'wasm' | 'transformersjs' | 'transformersjs-wasm';
  dtype: 'fp32' | 'fp16' | 'q8' | 'q4';
  inputs: string;
  threads: number;
  repeats: number;
  scenarios: Scenario[];
}

export interface BenchInputs {
  contextInputIds: number[][];
  docScores: number[][];
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

const round = (x: number) => Math.round(x * 100) / 100;

/** One scenario timed: generate at the short and the long forced length; the long runs are returned for their extras. */
export async function timeScenario<R extends { ms: number; ids: number[] }>(
  s: Scenario,
  repeats: number,
  run: (s: Scenario, length: number) => Promise<R>,
): Promise<{ result: ScenarioResult; long: R[] }> {
  await run(s, s.short);
  const short: number[] = [];
  for (let i = 0; i < repeats; i++) short.push((await run(s, s.short)).ms);
  const long: R[] = [];
  for (let i = 0; i < repeats; i++) long.push(await run(s, s.long));
  const result = {
    name: s.name,
    shortMs: short.map(round),
    longMs: long.map((r) => round(r.ms)),
    shortMedianMs: round(median(short)),
    longMedianMs: round(median(long.map((r) => r.ms))),
    ids: long[0]!.ids,
  };
  return { result, long };
}

// The generation bench's timing protocol, shared by the Node processes and the Chromium page:
// one warm-up, then `repeats` short and long runs, medians.
import { median } from '../stats.js';
import type { ScenarioResult } from './report.js';

export interface Scenario {
  name: string;
  variant: 'token' | 'sequence';
  numBeams: number;
  short: number;
  long: number;
}

/** The seeded contexts every system reads (run.ts writes them). */
export interface BenchInputs {
  contextInputIds: number[][];
  docScores: number[][];
}

const round = (x: number) => Math.round(x * 100) / 100;

/** A process's peak resident memory, reset between scenarios (system.ts: Linux's VmHWM). */
export interface PeakMemory {
  reset(): void;
  /** Since the last reset. */
  peakBytes(): number;
  /** Since the process started, resets notwithstanding (loading included). */
  overallPeakBytes(): number;
}

/**
 * One scenario timed: generate at the short and the long forced length; the short and long runs
 * are returned for their extras. With `peak`, the scenario's own peak RSS (from its warm-up on).
 */
export async function timeScenario<R extends { ms: number; ids: number[] }>(
  s: Scenario,
  repeats: number,
  run: (s: Scenario, length: number) => Promise<R>,
  peak?: PeakMemory,
): Promise<{ result: ScenarioResult; short: R[]; long: R[] }> {
  peak?.reset();
  await run(s, s.short);
  const short: R[] = [];
  for (let i = 0; i < repeats; i++) short.push(await run(s, s.short));
  const long: R[] = [];
  for (let i = 0; i < repeats; i++) long.push(await run(s, s.long));
  const result = {
    name: s.name,
    shortMs: short.map((r) => round(r.ms)),
    longMs: long.map((r) => round(r.ms)),
    shortMedianMs: round(median(short.map((r) => r.ms))),
    longMedianMs: round(median(long.map((r) => r.ms))),
    ids: long[0]!.ids,
    ...(peak && { peakRssBytes: peak.peakBytes() }),
  };
  return { result, short, long };
}

/**
 * This project's side of the generation bench, wherever it runs (a Node process, a Chromium page):
 * RagTokenForGeneration / RagSequenceForGeneration.generate on the bench's contexts, per scenario
 * the short and long timings, the median decode step from decodeNext's own timestamps, the
 * generator work in token positions and, where a probe counts them, what one decode step reads
 * back from the GPU and submits to it.
 */
import { BartGenerator, RagSequenceForGeneration, RagTokenForGeneration, type RagModel } from '../../packages/models/src/index.js';
import { median } from '../stats.js';
import type { ScenarioResult } from './report.js';
import { timeScenario, type BenchInputs, type PeakMemory, type Scenario } from './scenarios.js';

/** Running totals a probe keeps (e.g. of a GPU device): read before and after each run. */
export interface StepCounters {
  readBackBytes: number;
  submits: number;
}

export interface OursScenarioResult extends ScenarioResult {
  /** (long run − short run) ÷ the steps between them, from the probe's totals. */
  readBackBytesPerStep?: number;
  submitsPerStep?: number;
}

/**
 * Generator work of one generate, in token positions through each half (rows × positions per
 * call), as hf_generate.py counts transformers': the FLOPs follow (≈ 2 · parameters per position).
 */
const work = { encoderTokens: 0, decoderTokens: 0 };
/** Start times of decodeNext: one call per step (every beam and document batched), so their intervals are the decode steps. */
let stepStarts: number[] = [];
let counting = false;

function countGeneratorWork(): void {
  if (counting) return;
  counting = true;
  const proto = BartGenerator.prototype;
  const counted = <K extends 'encode' | 'decodeFirst' | 'decodeNext'>(name: K, half: keyof typeof work, tokens: (...a: Parameters<BartGenerator[K]>) => number) => {
    const original = proto[name] as (...a: Parameters<BartGenerator[K]>) => ReturnType<BartGenerator[K]>;
    (proto as unknown as Record<K, unknown>)[name] = function (this: BartGenerator, ...a: Parameters<BartGenerator[K]>) {
      work[half] += tokens(...a);
      return original.apply(this, a);
    };
  };
  const positions = (rows: number[][]) => rows.reduce((n, r) => n + r.length, 0);
  counted('encode', 'encoderTokens', (ids) => positions(ids));
  // forwardLogits (rescoring) runs through decodeFirst.
  counted('decodeFirst', 'decoderTokens', (ids) => positions(ids));
  counted('decodeNext', 'decoderTokens', (tokens) => {
    stepStarts.push(performance.now());
    return tokens.length;
  });
}

export async function measureOurs(
  rag: RagModel,
  inputs: BenchInputs,
  scenarios: readonly Scenario[],
  repeats: number,
  probe?: () => StepCounters,
  peak?: PeakMemory,
): Promise<OursScenarioResult[]> {
  countGeneratorWork();
  const token = new RagTokenForGeneration(rag);
  const sequence = new RagSequenceForGeneration(rag);
  const padTokenId = rag.config.generator.padTokenId;
  const args = {
    contextInputIds: inputs.contextInputIds,
    contextAttentionMask: inputs.contextInputIds.map((row) => row.map((id) => (id === padTokenId ? 0 : 1))),
    docScores: inputs.docScores,
  };

  const run = async (s: Scenario, length: number) => {
    const options = { ...args, numBeams: s.numBeams, numReturnSequences: 1, minLength: length, maxLength: length };
    work.encoderTokens = work.decoderTokens = 0;
    stepStarts = [];
    const before = probe?.();
    const start = performance.now();
    const ids = s.variant === 'token' ? await token.generate(options) : await sequence.generate(options);
    const ms = performance.now() - start;
    const after = probe?.();
    const counters = before && after ? { readBackBytes: after.readBackBytes - before.readBackBytes, submits: after.submits - before.submits } : undefined;
    return { ms, ids: ids[0]!, work: { ...work }, stepMs: stepStarts.slice(1).map((t, i) => t - stepStarts[i]!), counters };
  };

  const results: OursScenarioResult[] = [];
  for (const s of scenarios) {
    const { result, short, long } = await timeScenario(s, repeats, run, peak);
    const perStep = (field: keyof StepCounters) => {
      const a = short[0]!.counters;
      const b = long[0]!.counters;
      return a && b ? Math.round((100 * (b[field] - a[field])) / (s.long - s.short)) / 100 : undefined;
    };
    const readBackBytesPerStep = perStep('readBackBytes');
    const submitsPerStep = perStep('submits');
    results.push({
      ...result,
      work: long[0]!.work,
      stepMedianMs: Math.round(100 * median(long.flatMap((r) => r.stepMs))) / 100,
      ...(readBackBytesPerStep !== undefined && { readBackBytesPerStep }),
      ...(submitsPerStep !== undefined && { submitsPerStep }),
    });
  }
  return results;
}

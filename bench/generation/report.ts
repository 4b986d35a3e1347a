// The generation bench's tables (bench/README.md), from the JSON each system's process printed.
import type { Machine } from '../machine.js';

export interface ScenarioResult {
  name: string;
  shortMs: number[];
  longMs: number[];
  shortMedianMs: number;
  longMedianMs: number;
  ids: number[];
  /** Median wall time of one decode step inside the long runs, from the system's own step timestamps. */
  stepMedianMs?: number;
  /** Token positions through the generator's encoder and decoder in one long run (rows × positions per call). */
  work?: { encoderTokens: number; decoderTokens: number };
  /**
   * What one decode step hands from the runtime to JS: bytes read back from the GPU (`mapAsync`,
   * ours in Chromium) or of logits returned by a session run (the transformers.js loop).
   */
  readBackBytesPerStep?: number;
  /** GPU queue submits per decode step (every submit of the page: ours and onnxruntime-web's). */
  submitsPerStep?: number;
  /** The process's peak RSS from this scenario's warm-up to its end (the high-water mark reset before it; Node and Python systems on Linux). */
  peakRssBytes?: number;
  /** Decoder session runs per decode step (the transformers.js loop: one per document and beam). */
  runsPerStep?: number;
}

export interface SystemResult {
  system: string;
  loadMs: number;
  peakRssBytes: number;
  /** Bytes of the model files loaded (ours); transformers' are its parameters' bytes. */
  weightBytes?: number;
  threads: number | string;
  /** The WebGPU adapter a GPU system ran on (vendor, architecture, description). */
  adapter?: string;
  scenarios: ScenarioResult[];
}

/** The generator's shape, for FLOPs from token positions. */
export interface GeneratorShape {
  dModel: number;
  encoderLayers: number;
  decoderLayers: number;
  encoderFfnDim: number;
  decoderFfnDim: number;
  vocabSize: number;
}

export interface GenerationRun {
  size: string;
  dtype: string;
  nDocs: number;
  generator?: GeneratorShape;
  results: SystemResult[];
  /** Systems that did not finish (e.g. a session past the WASM heap): the error they ended with. */
  failures?: Array<{ system: string; error: string }>;
}

export interface GenerationReport {
  date: string;
  machine: Machine;
  /** os.loadavg() (1, 5, 15 min) before and after the run. */
  loadAverage?: { before: number[]; after: number[] };
  threads: number;
  repeats: number;
  contextLength: number;
  steps: number;
  runs: GenerationRun[];
}

/**
 * ms per decode step: the median of the steps timed inside the long runs where the system
 * recorded them (robust to a slow prefill or a busy machine), else the 19 steps a long run
 * makes beyond a short one.
 */
export const msPerStep = (s: ScenarioResult, steps: number) => s.stepMedianMs ?? (s.longMedianMs - s.shortMedianMs) / (steps - 1);
/**
 * Matmul FLOPs of the generator's work: 2 · weights touched per position (attention and FFN
 * projections; the LM head per decoder position). Attention scores and softmax, which grow with
 * the lengths, are left out: a lower bound, the same for every system.
 */
export function generatorGflops(work: { encoderTokens: number; decoderTokens: number }, g: GeneratorShape): number {
  const d = g.dModel;
  const perEncoderPosition = g.encoderLayers * (4 * d * d + 2 * d * g.encoderFfnDim);
  const perDecoderPosition = g.decoderLayers * (8 * d * d + 2 * d * g.decoderFfnDim) + d * g.vocabSize;
  return (2 * (perEncoderPosition * work.encoderTokens + perDecoderPosition * work.decoderTokens)) / 1e9;
}

/** Spread of a run: (max − min) / median of its long timings. */
export const spread = (s: ScenarioResult) => (Math.max(...s.longMs) - Math.min(...s.longMs)) / s.longMedianMs;

const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
/** Sizes of every magnitude, from the tiny fixtures' kilobytes to BART-large's gigabytes. */
const bytesText = (bytes: number) => (bytes >= 2 ** 30 ? gb(bytes) : `${(bytes / 2 ** 20).toFixed(bytes >= 2 ** 24 ? 0 : 2)} MiB`);

export function formatGeneration(report: GenerationReport): string {
  const out: string[] = [];
  out.push(`${report.machine.cpu} × ${report.machine.cores} cores, ${gb(report.machine.memoryBytes)}; contexts of ${report.contextLength} tokens, ${report.steps} forced steps, median of ${report.repeats}${report.loadAverage ? `; load average ${report.loadAverage.before[0]!.toFixed(1)} before, ${report.loadAverage.after[0]!.toFixed(1)} after` : ''}; (n×) = transformers' time ÷ this one, > 1 is faster than transformers`);
  for (const run of report.runs) {
    const systems = run.results.map((r) => r.system);
    const reference = run.results.find((r) => r.system === 'transformers');
    out.push('', `### ${run.size} (${run.dtype}, n_docs ${run.nDocs})`, '', `| | ${systems.join(' | ')} |`, `|---|${systems.map(() => '---').join('|')}|`);
    const scenarios = run.results[0]!.scenarios.map((s) => s.name);
    for (const name of scenarios) {
      const of = (r: SystemResult) => r.scenarios.find((s) => s.name === name)!;
      const ratio = (mine: number, theirs: number | undefined) => (theirs === undefined ? '' : ` (${(theirs / mine).toFixed(2)}×)`);
      const ref = reference && of(reference);
      out.push(`| ${name}: ms per step | ${run.results.map((r) => `${msPerStep(of(r), report.steps).toFixed(1)}${r === reference ? '' : ratio(msPerStep(of(r), report.steps), ref && msPerStep(ref, report.steps))}`).join(' | ')} |`);
      out.push(`| ${name}: encoder + first step, ms | ${run.results.map((r) => `${of(r).shortMedianMs.toFixed(0)}${r === reference ? '' : ratio(of(r).shortMedianMs, ref?.shortMedianMs)}`).join(' | ')} |`);
      out.push(`| ${name}: tokens/s | ${run.results.map((r) => ((1000 * report.steps) / of(r).longMedianMs).toFixed(2)).join(' | ')} |`);
      out.push(`| ${name}: ids as transformers | ${run.results.map((r) => (ref ? (JSON.stringify(of(r).ids) === JSON.stringify(ref.ids) ? 'yes' : 'NO') : '–')).join(' | ')} |`);
      if (run.generator && run.results.some((r) => of(r).work)) {
        const gflops = (r: SystemResult) => { const w = of(r).work; return w ? generatorGflops(w, run.generator!) : undefined; };
        const refGflops = ref && gflops(reference!);
        out.push(`| ${name}: generator GFLOPs (encoder + decoder positions) | ${run.results.map((r) => { const g = gflops(r); const w = of(r).work; return g === undefined || !w ? '–' : `${g.toFixed(0)} (${w.encoderTokens} + ${w.decoderTokens})${r === reference || refGflops === undefined ? '' : `, ${(refGflops / g).toFixed(1)}× less`}`; }).join(' | ')} |`);
      }
      const extra = (label: string, field: 'readBackBytesPerStep' | 'submitsPerStep' | 'runsPerStep', text: (x: number) => string) => {
        if (run.results.some((r) => of(r)[field] !== undefined)) out.push(`| ${name}: ${label} | ${run.results.map((r) => { const x = of(r)[field]; return x === undefined ? '–' : text(x); }).join(' | ')} |`);
      };
      extra('bytes read back per step', 'readBackBytesPerStep', (x) => x.toLocaleString('en-US', { maximumFractionDigits: 0 }));
      extra('GPU submits per step', 'submitsPerStep', (x) => x.toFixed(1));
      extra('decoder runs per step', 'runsPerStep', (x) => x.toFixed(0));
      if (run.results.some((r) => of(r).peakRssBytes !== undefined)) {
        out.push(`| ${name}: peak RSS of the scenario (÷ weights) | ${run.results.map((r) => { const p = of(r).peakRssBytes; return p === undefined ? '–' : `${bytesText(p)}${r.weightBytes ? ` (${(p / r.weightBytes).toFixed(2)}×)` : ''}`; }).join(' | ')} |`);
      }
      out.push(`| ${name}: spread of the long runs | ${run.results.map((r) => `${(100 * spread(of(r))).toFixed(0)} %`).join(' | ')} |`);
    }
    out.push(`| load, s | ${run.results.map((r) => (r.loadMs / 1000).toFixed(1)).join(' | ')} |`);
    out.push(`| peak RSS | ${run.results.map((r) => bytesText(r.peakRssBytes)).join(' | ')} |`);
    out.push(`| weight bytes loaded | ${run.results.map((r) => (r.weightBytes ? `${bytesText(r.weightBytes)} (peak ${(r.peakRssBytes / r.weightBytes).toFixed(2)}×)` : '–')).join(' | ')} |`);
    out.push(`| threads | ${run.results.map((r) => String(r.threads)).join(' | ')} |`);
    if (run.results.some((r) => r.adapter)) out.push(`| WebGPU adapter | ${run.results.map((r) => r.adapter ?? '–').join(' | ')} |`);
    for (const f of run.failures ?? []) out.push('', `${f.system} did not finish: ${f.error}`);
  }
  return out.join('\n');
}

// The encoder bench's statistics and table, from the JSON each system's process printed.
import type { Machine } from '../machine.js';
import { quantile } from '../stats.js';

/** What hf_encode.py and ours.ts print: raw timings, token ids and pooled outputs. */
export interface SystemOutput {
  system: string;
  threads: number | string;
  loadMs: number;
  /** Process CPU time / wall time over the timings: the threads actually busy. */
  cpuPerWall: number;
  versions?: Record<string, string>;
  /** Every question's wall time, batch 1, over all repeats. */
  questionMs: number[];
  questionIds: number[][];
  questionPooled: number[][];
  ingest: Array<{ batch: number; runMs: number[]; ids: number[][]; pooled: number[][] }>;
}

/** Closeness of one system's pooled outputs to transformers': worst element and worst row. */
export interface Agreement {
  maxAbsDiff: number;
  minCosine: number;
}

export interface SystemRow {
  system: string;
  threads: number | string;
  loadMs: number;
  cpuPerWall: number;
  versions?: Record<string, string>;
  question: { p50Ms: number; p10Ms: number; p90Ms: number; samples: number };
  /** passagesPerS from the median pass; bestPassagesPerS from the fastest, the one other work on the machine slowed least. */
  ingest: Array<{ batch: number; runMs: number[]; medianMs: number; passagesPerS: number; bestPassagesPerS: number; spread: number }>;
  /** Absent for transformers itself. */
  vsTransformers?: { tokensEqual: boolean; questions: Agreement; passages: Agreement };
}

export interface EncoderRun {
  size: string;
  dtype: string;
  questions: number;
  passages: number;
  /** Tokens a row keeps: 256, or the encoders' position table if shorter. */
  maxLength: number;
  /** Mean tokens per question and per passage (title + text), as transformers' tokenizers count them. */
  meanTokens: { question: number; passage: number };
  rows: SystemRow[];
}

export interface EncoderReport {
  date: string;
  machine: Machine & { loadAverage: { before: number; after: number } };
  threads: number;
  repeats: number;
  batchSizes: number[];
  runs: EncoderRun[];
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));

function agreement(mine: number[][], theirs: number[][]): Agreement {
  let maxAbsDiff = 0;
  let minCosine = 1;
  mine.forEach((a, i) => {
    const b = theirs[i]!;
    let dot = 0;
    let na = 0;
    let nb = 0;
    a.forEach((x, j) => {
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(x - b[j]!));
      dot += x * b[j]!;
      na += x * x;
      nb += b[j]! * b[j]!;
    });
    minCosine = Math.min(minCosine, dot / Math.sqrt(na * nb));
  });
  return { maxAbsDiff, minCosine };
}

/** One system's row: p50 / p10 / p90 of the question latencies, median ingest rate per batch size, agreement with `reference`. */
export function systemRow(out: SystemOutput, reference: SystemOutput | undefined): SystemRow {
  const passages = out.ingest[0]!.ids.length;
  const same = (a: number[][], b: number[][]) => JSON.stringify(a) === JSON.stringify(b);
  const row: SystemRow = {
    system: out.system,
    threads: out.threads,
    loadMs: out.loadMs,
    cpuPerWall: out.cpuPerWall,
    ...(out.versions ? { versions: out.versions } : {}),
    question: {
      p50Ms: round(quantile(out.questionMs, 0.5)),
      p10Ms: round(quantile(out.questionMs, 0.1)),
      p90Ms: round(quantile(out.questionMs, 0.9)),
      samples: out.questionMs.length,
    },
    ingest: out.ingest.map((i) => {
      const medianMs = quantile(i.runMs, 0.5);
      const [fastest, slowest] = [Math.min(...i.runMs), Math.max(...i.runMs)];
      const rate = (ms: number) => round((1000 * passages) / ms);
      return {
        batch: i.batch,
        runMs: i.runMs,
        medianMs: round(medianMs),
        passagesPerS: rate(medianMs),
        bestPassagesPerS: rate(fastest),
        spread: round((slowest - fastest) / medianMs, 3),
      };
    }),
  };
  if (!reference || reference === out) return row;
  const refIngest = (batch: number) => reference.ingest.find((i) => i.batch === batch)!;
  const worst = (as: Agreement[]): Agreement => ({ maxAbsDiff: Math.max(...as.map((a) => a.maxAbsDiff)), minCosine: Math.min(...as.map((a) => a.minCosine)) });
  return {
    ...row,
    vsTransformers: {
      tokensEqual: same(out.questionIds, reference.questionIds) && out.ingest.every((i) => same(i.ids, refIngest(i.batch).ids)),
      questions: agreement(out.questionPooled, reference.questionPooled),
      // Every batch size against transformers' at the same one, so padding is checked too.
      passages: worst(out.ingest.map((i) => agreement(i.pooled, refIngest(i.batch).pooled))),
    },
  };
}

const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

export function formatEncoders(report: EncoderReport): string {
  const out: string[] = [];
  out.push(
    `${report.machine.cpu} × ${report.machine.cores} cores, ${gb(report.machine.memoryBytes)}, load average ${report.machine.loadAverage.before.toFixed(2)} before, ${report.machine.loadAverage.after.toFixed(2)} after; ` +
      `${report.threads} threads per system; ` +
      `tokenization included; padding to the longest in the batch; one warm-up, then ${report.repeats} repeats`,
    '',
    '(n×) = × vs transformers, >1 = faster',
  );
  for (const run of report.runs) {
    const { rows } = run;
    const reference = rows.find((r) => r.system === 'transformers');
    const ratio = (r: SystemRow, faster: number | undefined) => (r === reference || faster === undefined ? '' : ` (${faster.toFixed(2)}×)`);
    const line = (label: string, cell: (r: SystemRow) => string) => out.push(`| ${label} | ${rows.map(cell).join(' | ')} |`);
    out.push(
      '',
      `### ${run.size} (${run.dtype}): ${run.questions} questions (${run.meanTokens.question.toFixed(1)} tokens on average), ${run.passages} passages (${run.meanTokens.passage.toFixed(1)} tokens), truncated at ${run.maxLength} tokens`,
      '',
      `| | ${rows.map((r) => r.system).join(' | ')} |`,
      `|---|${rows.map(() => '---').join('|')}|`,
    );
    line('question encoding, batch 1: p50 ms', (r) => `${r.question.p50Ms.toFixed(2)}${ratio(r, reference && reference.question.p50Ms / r.question.p50Ms)}`);
    line('question encoding: p10–p90 ms', (r) => `${r.question.p10Ms.toFixed(2)}–${r.question.p90Ms.toFixed(2)}`);
    for (const [k, { batch }] of rows[0]!.ingest.entries()) {
      line(`ingest, batch ${batch}: passages/s`, (r) => `${r.ingest[k]!.passagesPerS.toFixed(1)}${ratio(r, reference && r.ingest[k]!.passagesPerS / reference.ingest[k]!.passagesPerS)}`);
    }
    line(`ingest, best pass, batch ${rows[0]!.ingest.map((i) => i.batch).join(' / ')}: passages/s`, (r) => r.ingest.map((i) => i.bestPassagesPerS.toFixed(1)).join(' / '));
    line(`ingest spread (max − min) / median, batch ${rows[0]!.ingest.map((i) => i.batch).join(' / ')}`, (r) => r.ingest.map((i) => `${(100 * i.spread).toFixed(0)} %`).join(' / '));
    line('token ids as transformers', (r) => (r.vsTransformers ? (r.vsTransformers.tokensEqual ? 'yes' : 'NO') : '–'));
    const agree = (a: Agreement) => `max abs diff ${a.maxAbsDiff.toExponential(1)}, min cos ${a.minCosine.toFixed(6)}`;
    line('question vectors vs transformers', (r) => (r.vsTransformers ? agree(r.vsTransformers.questions) : '–'));
    line('passage vectors vs transformers', (r) => (r.vsTransformers ? agree(r.vsTransformers.passages) : '–'));
    line('load, s', (r) => (r.loadMs / 1000).toFixed(1));
    line('threads', (r) => String(r.threads));
    line('CPU time / wall time while timing', (r) => r.cpuPerWall.toFixed(2));
  }
  return out.join('\n');
}

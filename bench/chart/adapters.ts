/**
 * From each suite's results JSON to the charts of its PNG: which suite a JSON is (its `suite`
 * field, else its shape), then one ChartSpec per panel, stacked in one PNG by png.ts.
 */
import type { DecodeStepResult } from '../decode-step.js';
import type { EncoderReport } from '../encoders/report.js';
import { msPerStep, spread, type GenerationReport } from '../generation/report.js';
import type { RetrieverBenchResult } from '../retriever/retriever-bench.js';
import type { StartupPhase } from '../startup/page.js';
import type { GpuAdapterSummary } from '../../packages/core/src/gpu/device.js';
import type { ChartGroup, ChartSpec } from './chart.js';
import type { Machine } from '../machine.js';
import { median } from '../stats.js';

/** What a suite whose result type lacks them (kernels) should add to its JSON for the chart to state them. */
export interface RunInfo {
  machine?: Machine;
  /** ISO time of the run. */
  date?: string;
}

const SUITES = ['generation', 'retriever', 'kernels', 'encoders', 'startup'] as const;
export type Suite = (typeof SUITES)[number];

const percent = (x: number) => `${Math.round(100 * x)} %`;
const machineLine = (m: Machine | undefined) =>
  m ? `machine: ${m.cpu}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB RAM${m.host ? ` (host ${m.host})` : ''}` : 'machine: not recorded in this JSON';
const adapterLine = (a: GpuAdapterSummary) => `adapter: ${a.vendor} / ${a.architecture}${a.description ? ` (${a.description})` : ''}`;
const dateLine = (date: string | undefined) => (date ? `date: ${date.slice(0, 16).replace('T', ' ')} UTC` : 'date: not recorded in this JSON');
/** "median 4 %, worst 12 % (ours-wasm · token beam 4)" over relative spreads keyed by where they were measured. */
const noiseSummary = (spreads: Array<{ where: string; spread: number }>) => {
  const worst = spreads.reduce((a, b) => (b.spread > a.spread ? b : a));
  return `median ${percent(median(spreads.map((s) => s.spread)))}, worst ${percent(worst.spread)} (${worst.where})`;
};

const RUNTIMES: Record<string, string> = { transformers: 'torch', 'ours-cpu': 'onnxruntime-node', 'ours-wasm': "onnxruntime-web's WASM EP" };

/** bench/generation: per model size, ms per decode step and encoder + first step per scenario × system. */
export function generationCharts(r: GenerationReport): ChartSpec[] {
  return r.runs.map((run, i) => {
    const names = run.results[0]?.scenarios.map((s) => s.name) ?? [];
    const cells = (name: string) => run.results.flatMap((sys) => sys.scenarios.filter((s) => s.name === name).map((s) => ({ system: sys.system, s })));
    const perStep: ChartGroup[] = names.map((name) => ({
      label: `${name} · ms per decode step`,
      better: 'lower',
      // The long runs' min and max through the same (long − short) / (steps − 1) as the value.
      bars: cells(name).map(({ system, s }) => ({
        series: system,
        value: msPerStep(s, r.steps),
        range: [msPerStep({ ...s, longMedianMs: Math.min(...s.longMs) }, r.steps), msPerStep({ ...s, longMedianMs: Math.max(...s.longMs) }, r.steps)],
      })),
    }));
    const firstStep: ChartGroup[] = names.map((name) => ({
      label: `${name} · encoder + first step, ms`,
      better: 'lower',
      bars: cells(name).map(({ system, s }) => ({ series: system, value: s.shortMedianMs, range: [Math.min(...s.shortMs), Math.max(...s.shortMs)] })),
    }));
    // The spread report.ts tabulates: (max − min) / median of each system's long runs.
    const spreads = names.flatMap((name) =>
      cells(name).map(({ system, s }) => ({ where: `${system} · ${name}`, spread: spread(s) })),
    );
    return {
      title: `Generation, ${run.size} (${run.dtype}, n_docs ${run.nDocs})`,
      subtitle: [
        // The machine, adapter and date are the report's, the same for every size: stated once, over the first chart.
        ...(i === 0
          ? [
              machineLine(r.machine),
              `adapter: none, CPU only (${run.results.map((s) => `${s.system}: ${RUNTIMES[s.system] ?? 'runtime not recorded'}`).join('; ')})`,
              `threads: ${run.results.map((s) => `${s.system} ${s.threads}`).join(', ')}`,
              dateLine(r.date),
            ]
          : []),
        `contexts of ${r.contextLength} tokens, ${r.steps} forced steps, median of ${r.repeats}`,
        `noise: spread (max − min) / median of the ${r.repeats} long runs: ${noiseSummary(spreads)}`,
      ],
      series: run.results.map((s) => s.system),
      groups: [...perStep, ...firstStep],
      unit: 'ms',
      whiskers: `min–max of the ${r.repeats} runs (per step: of the long runs)`,
    };
  });
}

/** bench/encoders: per model size, question latency (batch 1) and ingest throughput per batch size. */
export function encoderCharts(r: EncoderReport): ChartSpec[] {
  return r.runs.flatMap((run, i): ChartSpec[] => {
    const series = run.rows.map((row) => row.system);
    const spreads = run.rows.flatMap((row) => [
      { where: `${row.system} · question`, spread: (row.question.p90Ms - row.question.p10Ms) / row.question.p50Ms },
      ...row.ingest.map((g) => ({ where: `${row.system} · ingest batch ${g.batch}`, spread: g.spread })),
    ]);
    const rate = (ms: number) => (1000 * run.passages) / ms;
    return [
      {
        title: `Encoders, ${run.size} (${run.dtype})`,
        // The machine, adapter and date are the report's: stated once, over the first chart.
        subtitle: [
          ...(i === 0
            ? [
                machineLine(r.machine),
                `adapter: none, CPU only (${run.rows.map((row) => `${row.system}: ${RUNTIMES[row.system] ?? 'runtime not recorded'}`).join('; ')})`,
                `threads (CPU time / wall time while timing): ${run.rows.map((row) => `${row.system} ${row.threads} (${row.cpuPerWall.toFixed(2)})`).join(', ')}`,
                dateLine(r.date),
              ]
            : []),
          `${run.questions} questions (${run.meanTokens.question.toFixed(1)} tokens on average), ${run.passages} passages (${run.meanTokens.passage.toFixed(1)} tokens), truncated at ${run.maxLength} tokens; tokenization included`,
          `noise: question (p90 − p10) / p50 and ingest (max − min) / median of the ${r.repeats} passes: ${noiseSummary(spreads)}`,
        ],
        series,
        groups: [
          {
            label: 'question encoding, batch 1 · ms (p50)',
            better: 'lower',
            bars: run.rows.map((row) => ({ series: row.system, value: row.question.p50Ms, range: [row.question.p10Ms, row.question.p90Ms] })),
          },
        ],
        unit: 'ms',
        whiskers: `p10–p90 of the ${run.rows[0]?.question.samples ?? 0} single calls`,
      },
      {
        // Continues the chart above: its title and subtitle hold for this one.
        title: '',
        subtitle: [],
        series,
        groups: (run.rows[0]?.ingest ?? []).map(({ batch }) => ({
          label: `ingest, batch ${batch} · passages/s (median of the passes)`,
          better: 'higher',
          // The slowest and fastest pass, as passages per second.
          bars: run.rows.flatMap((row) =>
            row.ingest.filter((g) => g.batch === batch).map((g) => ({ series: row.system, value: g.passagesPerS, range: [rate(Math.max(...g.runMs)), rate(Math.min(...g.runMs))] })),
          ),
        })),
        unit: 'passages/s',
        whiskers: `slowest–fastest of the ${r.repeats} passes`,
      },
    ];
  });
}

/** What bench/retriever/run.ts writes (its ResultsFile): one entry per data × n × dim, replaced on a rerun. */
export interface RetrieverResultsFile {
  machine: Machine;
  runs: Record<string, { date: string; result: RetrieverBenchResult }>;
}

/** bench/retriever: query latency (p50, p99), recall@k, build time and index bytes, one panel per unit, per run of the file. */
export function retrieverCharts(file: RetrieverResultsFile): ChartSpec[] {
  return Object.values(file.runs).flatMap(({ date, result: r }): ChartSpec[] => {
    // Bars are coloured by system, so that one system keeps its colour through every panel.
    const rows = r.systems.flatMap((s) => s.rows.map((row) => ({ ...row, system: s.name })));
    const built = r.systems.filter((s) => s.buildMs !== undefined && s.ok);
    const persisted = built.filter((s) => s.persisted);
    type Latency = (typeof rows)[number]['latency'];
    // The one-batch GPU row has no per-query times: its mean (batch / queries) stands alone, without whiskers.
    const perQuery = (pick: (l: Latency) => number, range: (l: Latency) => readonly [number, number] | undefined) =>
      rows.map((row) => ({ series: row.system, label: row.label, ...(row.batchMs === undefined ? { value: pick(row.latency), range: range(row.latency) } : { value: row.latency.mean }) }));
    const passes = rows.filter((row) => row.latency.p99Passes.length > 1);
    const noise = passes.length
      ? `noise: p99 over the ${r.repeats} passes at the chosen ef, (max − min) / median: ${noiseSummary(passes.map((row) => ({ where: row.label, spread: (Math.max(...row.latency.p99Passes) - Math.min(...row.latency.p99Passes)) / median(row.latency.p99Passes) })))}`
      : 'noise: one pass per row: no repeat to compare';
    const failed = r.systems.filter((s) => !s.ok);
    const series = r.systems.filter((s) => s.ok).map((s) => s.name);
    return [
      {
        title: `Retrieval: ${r.description}`,
        subtitle: [
          machineLine(file.machine),
          r.adapterError ? `adapter: none (${r.adapterError})` : adapterLine(r.adapter),
          dateLine(date),
          `${r.queries} queries one at a time, k = ${r.k}; HNSW M=${r.hnswParams.m}, M0=${r.hnswParams.m0}, efConstruction=${r.hnswParams.efConstruction}; ef = the lowest of the sweep with recall@${r.k} ≥ ${r.target}`,
          noise,
          ...(failed.length ? [`failed: ${failed.map((s) => `${s.name} (${s.error ?? 'no reason recorded'})`).join('; ')}`] : []),
        ],
        series,
        groups: [
          { label: 'query latency, one at a time · p50', better: 'lower', bars: perQuery((l) => l.p50, (l) => [l.p10, l.p90]) },
          { label: 'query latency, one at a time · p99', better: 'lower', bars: perQuery((l) => l.p99, (l) => (l.p99Passes.length > 1 ? [Math.min(...l.p99Passes), Math.max(...l.p99Passes)] : undefined)) },
        ],
        unit: 'ms',
        whiskers: "p50: p10–p90 of the queries; p99: min–max of the passes' p99s",
      },
      // The panels below continue the one above: its title and subtitle hold for them.
      { title: '', subtitle: [], series, groups: [{ label: `recall@${r.k} against exact CPU`, better: 'higher', bars: rows.map((row) => ({ series: row.system, label: row.label, value: row.recall })) }], unit: '' },
      { title: '', subtitle: [], series, groups: [{ label: 'build time', better: 'lower', bars: built.map((s) => ({ series: s.name, value: s.buildMs! / 1000 })) }], unit: 's' },
      ...(persisted.length
        ? [
            {
              title: '',
              subtitle: [],
              series,
              groups: [{ label: 'index bytes, as saved to IndexedDB', better: 'lower' as const, bars: persisted.map((s) => ({ series: s.name, value: s.persisted!.bytes / 1e6 })) }],
              unit: 'MB',
            },
          ]
        : []),
    ];
  });
}

/** bench/run.ts (the decode-step kernel bench): product vs previous path per scenario, p10–p90 whiskers. */
export function kernelCharts(r: DecodeStepResult & RunInfo): ChartSpec[] {
  const series = ['product', 'previous'] as const;
  const spreads = r.scenarios.flatMap((s) => series.map((p) => ({ where: `${p} · ${s.name}`, spread: (s[p].p90Ms - s[p].p10Ms) / s[p].medianMs })));
  return [
    {
      title: 'Kernels: one RAG-Token decoding step',
      subtitle: [
        machineLine(r.machine),
        adapterLine(r.adapter),
        dateLine(r.date),
        `product path (GpuRagMath.selectCandidates) vs the step before the kernel runner; median of ${r.iterations} iterations after ${r.warmup} warm-up`,
        `noise: (p90 − p10) / median: ${noiseSummary(spreads)}`,
      ],
      series: [...series],
      groups: r.scenarios.map((s) => ({
        label: `${s.name} · ms per step${s.agree ? '' : ' (the paths DISAGREE)'}`,
        better: 'lower',
        bars: series.map((p) => ({ series: p, value: s[p].medianMs, range: [s[p].p10Ms, s[p].p90Ms] })),
      })),
      unit: 'ms',
      whiskers: `p10–p90 of the ${r.iterations} iterations`,
    },
    {
      // Continues the chart above.
      title: '',
      subtitle: [],
      series: [...series],
      groups: r.scenarios.map((s) => ({
        label: `${s.name} · command-buffer submits per step (${Number((s.previous.submitsPerStep / s.product.submitsPerStep).toPrecision(3))}× fewer on the product path)`,
        better: 'lower',
        bars: series.map((p) => ({ series: p, value: s[p].submitsPerStep })),
      })),
      unit: '',
      scale: 'linear',
    },
  ];
}

/** What bench/startup/run.ts writes: one row per model × dtype × device × phase, in the order run. */
export interface StartupReport {
  date: string;
  machine: Machine;
  loadAverage: { before: number[]; after: number[] };
  adapter: string;
  rows: Array<StartupPhase & { model: string; dtype: string; requested: string; peakRssBytes: number }>;
  /** Model × device pairs that did not load (older files have none). */
  failures?: Array<{ model: string; dtype: string; requested: string; error: string }>;
}

/**
 * bench/startup: seconds to a ready model per model · dtype · device, one bar per phase, and the
 * peak resident memory of the launched Chromium. Each device has a warm worker after the network
 * load and after the cache load; the chart keeps the second (the steady state of a returning visit).
 */
export function startupCharts(r: StartupReport): ChartSpec[] {
  const phases = ['network', 'cache', 'warm worker'];
  const groups = [...new Set(r.rows.map((row) => `${row.model} ${row.dtype} · ${row.device}`))];
  const rowsOf = (group: string) => r.rows.filter((row) => `${row.model} ${row.dtype} · ${row.device}` === group);
  const last = (group: string, phase: string) => rowsOf(group).filter((row) => row.phase === phase).at(-1);
  const mib = (bytes: number) => bytes / 2 ** 20;
  return [
    {
      title: 'Start-up: page load to a ready model (headless Chromium)',
      subtitle: [
        machineLine(r.machine),
        `adapter: ${r.adapter}`,
        dateLine(r.date),
        'network: fresh context, every file from the dev server on loopback; cache: the page reloaded, every file from Cache Storage; warm worker: the worker asked again',
        `noise: one run per phase; load average ${r.loadAverage.before[0]!.toFixed(1)} before, ${r.loadAverage.after[0]!.toFixed(1)} after`,
        ...(r.failures?.length ? [`did not load (errors in the JSON): ${r.failures.map((f) => `${f.model} ${f.dtype} · ${f.requested}`).join(', ')}`] : []),
      ],
      series: phases,
      groups: groups.map((group) => ({
        label: `${group} · s to ready`,
        better: 'lower',
        bars: phases.flatMap((phase) => {
          const row = last(group, phase);
          return row ? [{ series: phase, value: row.toReadyMs / 1000 }] : [];
        }),
      })),
      unit: 's',
    },
    {
      // Continues the chart above.
      title: '',
      subtitle: [],
      series: phases,
      groups: groups.map((group) => ({
        label: `${group} · peak RSS of every Chromium process, MiB (weights ${mib(rowsOf(group)[0]!.weightBytes).toFixed(0)} MiB)`,
        better: 'lower',
        bars: phases.flatMap((phase) => {
          const row = last(group, phase);
          return row ? [{ series: phase, value: mib(row.peakRssBytes) }] : [];
        }),
      })),
      unit: 'MiB',
      scale: 'linear',
    },
  ];
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
const firstOf = (x: unknown) => (Array.isArray(x) ? (x[0] as unknown) : undefined);

/** The suite a results JSON comes from: its `suite` field, else its shape. */
export function suiteOf(json: unknown, file: string): Suite {
  if (!isObject(json)) throw new Error(`${file}: not a JSON object`);
  if (typeof json.suite === 'string') {
    if ((SUITES as readonly string[]).includes(json.suite)) return json.suite as Suite;
    throw new Error(`${file}: unknown suite "${json.suite}"`);
  }
  const run = firstOf(json.runs);
  if (isObject(run) && Array.isArray(run.results)) return 'generation';
  if (isObject(run) && isObject(firstOf(run.rows)) && Array.isArray((firstOf(run.rows) as Record<string, unknown>).ingest)) return 'encoders';
  if (isObject(json.runs) && Object.values(json.runs).some((r) => isObject(r) && isObject(r.result) && Array.isArray(r.result.systems))) return 'retriever';
  if (isObject(firstOf(json.scenarios)) && isObject((firstOf(json.scenarios) as Record<string, unknown>).product)) return 'kernels';
  if (isObject(firstOf(json.rows)) && typeof (firstOf(json.rows) as Record<string, unknown>).toReadyMs === 'number') return 'startup';
  throw new Error(`${file}: not the results of a known bench suite (${SUITES.join(', ')})`);
}

export function chartsFor(json: unknown, file: string): ChartSpec[] {
  // A run where every system failed (1M vectors past a library's memory cap) has nothing to draw;
  // its failures are in the JSON and the suite's table.
  return suiteCharts(json, file)
    .map((spec) => ({ ...spec, groups: spec.groups.filter((g) => g.bars.length > 0) }))
    .filter((spec) => spec.groups.length > 0);
}

function suiteCharts(json: unknown, file: string): ChartSpec[] {
  switch (suiteOf(json, file)) {
    case 'generation':
      return generationCharts(json as GenerationReport);
    case 'retriever':
      return retrieverCharts(json as RetrieverResultsFile);
    case 'kernels':
      return kernelCharts(json as DecodeStepResult & RunInfo);
    case 'encoders':
      return encoderCharts(json as EncoderReport);
    case 'startup':
      return startupCharts(json as StartupReport);
  }
}

import { describe, expect, it } from 'vitest';
import type { GenerationReport } from '../generation/report.js';
import { chartsFor, suiteOf } from './adapters.js';
import { renderChart, type ChartSpec } from './chart.js';

const spec = (over: Partial<ChartSpec> = {}): ChartSpec => ({
  title: 'Speed <&> "quoted"',
  subtitle: ['machine: test box', 'noise: a <b> & c'],
  series: ['transformers', 'ours <cpu>'],
  groups: [
    {
      label: 'token greedy · ms per step',
      better: 'lower',
      bars: [
        { series: 'transformers', value: 10, range: [8, 12] },
        { series: 'ours <cpu>', value: 20 },
      ],
    },
    { label: 'tokens & s', better: 'higher', bars: [{ series: 'transformers', value: 40 }] },
  ],
  unit: 'ms',
  whiskers: 'min–max of 3 runs',
  ...over,
});

/** x and width of every bar, in drawing order (group by group, series by series). */
const bars = (svg: string) => [...svg.matchAll(/<rect class="bar" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => ({ x: Number(m[1]), width: Number(m[2]) }));
const whiskers = (svg: string) => [...svg.matchAll(/<path class="whisker" d="M([\d.]+) [\d.]+v10M[\d.]+ [\d.]+H([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
const texts = (svg: string) => [...svg.matchAll(/<(?:text|tspan)[^>]*>([^<]*)/g)].map((m) => m[1]);

describe('renderChart', () => {
  it('draws bars from one origin with lengths proportional to the values (linear scale)', () => {
    const svg = renderChart(spec());
    const [a, b, c] = bars(svg);
    expect(new Set([a!.x, b!.x, c!.x]).size).toBe(1);
    expect(b!.width / a!.width).toBeCloseTo(2, 2);
    expect(c!.width / a!.width).toBeCloseTo(4, 2);
    // The whisker spans 8–12 on the same scale: from 0.8 to 1.2 of the 10 bar's length.
    const [[lo, hi]] = whiskers(svg) as [[number, number]];
    expect((lo - a!.x) / a!.width).toBeCloseTo(0.8, 2);
    expect((hi - a!.x) / a!.width).toBeCloseTo(1.2, 2);
    expect(svg).not.toContain('log scale');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="1200" height="\d+"/);
  });

  it('uses a log scale when asked: equal ratios, equal steps in length', () => {
    const svg = renderChart(
      spec({ scale: 'log', groups: [{ label: 'g', better: 'lower', bars: [2, 20, 200].map((value) => ({ series: 'transformers', value })) }] }),
    );
    const [a, b, c] = bars(svg);
    expect(b!.width - a!.width).toBeCloseTo(c!.width - b!.width, 1);
    expect(b!.width - a!.width).toBeGreaterThan(0);
    // The axis runs from the 1-2-5 mark below the smallest value (1) to 200: 2 is log10(2) of 2.3 decades along.
    expect(a!.width / c!.width).toBeCloseTo(Math.log10(2) / Math.log10(200), 2);
    expect(svg).toContain('ms, log scale');
    expect(texts(svg)).toEqual(expect.arrayContaining(['1', '10', '100', '200']));
  });

  it('picks a log scale by itself when the values span more than 30×, and linear otherwise', () => {
    const wide = spec({ groups: [{ label: 'g', better: 'lower', bars: [1, 50].map((value) => ({ series: 'transformers', value })) }] });
    expect(renderChart(wide)).toContain('log scale');
    expect(renderChart({ ...wide, scale: 'linear' })).not.toContain('log scale');
    expect(renderChart(spec())).not.toContain('log scale');
  });

  it('writes the title, subtitle, legend, group labels with their direction, and values with units', () => {
    const t = texts(renderChart(spec())).join('\n');
    for (const s of ['machine: test box', 'token greedy · ms per step', '↓ lower is better', '↑ higher is better', 'transformers', 'whiskers: min–max of 3 runs']) {
      expect(t).toContain(s);
    }
    // Integers as they are; otherwise about three significant digits.
    expect(t).toContain('10 ms (8–12)');
    expect(t).toContain('40 ms');
    const fractional = spec({ groups: [{ label: 'g', better: 'lower', bars: [{ series: 'transformers', value: 12.34, range: [1234.5, 1300] }] }] });
    expect(texts(renderChart(fractional))).toContain('12.3 ms (1,235–1,300)');
  });

  it('escapes < & > and quotes in every label', () => {
    const svg = renderChart(spec());
    expect(svg).toContain('Speed &lt;&amp;&gt; &quot;quoted&quot;');
    expect(svg).toContain('noise: a &lt;b&gt; &amp; c');
    expect(svg).toContain('ours &lt;cpu&gt;');
    expect(svg).toContain('tokens &amp; s');
    expect(svg).not.toMatch(/<(?!\/?(svg|rect|text|tspan|path|line)\b)/);
  });

  it('labels a bar by its own label when it has one, and lists in the legend only the series with bars', () => {
    const svg = renderChart(spec({ series: ['transformers', 'ours <cpu>', 'unused'], groups: [{ label: 'g', better: 'lower', bars: [{ series: 'transformers', label: 'transformers, 4 beams', value: 1 }] }] }));
    expect(texts(svg)).toContain('transformers, 4 beams');
    expect(texts(svg)).toContain('transformers');
    expect(texts(svg)).not.toContain('unused');
  });

  it('refuses a bar whose series is not in the legend', () => {
    expect(() => renderChart(spec({ series: ['transformers'] }))).toThrow(/ours <cpu>/);
  });
});

describe('the generation adapter', () => {
  const scenario = (name: string, k: number) => ({ name, shortMs: [90 * k, 100 * k, 110 * k], longMs: [280 * k, 290 * k, 320 * k], shortMedianMs: 100 * k, longMedianMs: 290 * k, ids: [] });
  const report: GenerationReport = {
    date: '2026-12-04T10:00:00.000Z',
    machine: { host: 'box', cpu: 'Test CPU', cores: 2, memoryBytes: 8 * 2 ** 30 },
    threads: 2,
    repeats: 3,
    contextLength: 300,
    steps: 20,
    runs: [
      {
        size: 'base',
        dtype: 'fp32',
        nDocs: 5,
        results: ['transformers', 'ours-cpu'].map((system, i) => ({ system, loadMs: 1, peakRssBytes: 1, threads: 2, scenarios: [scenario('token greedy', i + 1)] })),
      },
    ],
  };

  it('is chosen by shape, charts ms per step with the long runs as whiskers, and states machine, adapter, date and noise', () => {
    expect(suiteOf(report, 'x.json')).toBe('generation');
    const [chart] = chartsFor(report, 'x.json');
    const perStep = chart!.groups[0]!;
    expect(perStep.label).toBe('token greedy · ms per decode step');
    // (290 − 100) / 19 = 10, whiskers (280 − 100) / 19 and (320 − 100) / 19.
    expect(perStep.bars[0]).toEqual({ series: 'transformers', value: 10, range: [180 / 19, 220 / 19] });
    expect(chart!.groups[1]!.bars[1]).toEqual({ series: 'ours-cpu', value: 200, range: [180, 220] });
    const subtitle = chart!.subtitle.join('\n');
    expect(subtitle).toContain('machine: Test CPU, 2 cores');
    expect(subtitle).toContain('adapter: none, CPU only');
    expect(subtitle).toContain('date: 2026-12-04 10:00 UTC');
    // Spread of the long runs: (320 − 280) / 290 = 14 % for both systems.
    expect(subtitle).toContain('median 14 %, worst 14 %');
  });
});

describe('the start-up chart', () => {
  const row = (device: string, phase: string, toReadyMs: number, peakRssBytes: number) => ({
    model: 'default', dtype: 'q8', requested: device, device, phase, toReadyMs, loadMs: toReadyMs / 2, weightBytes: 9 * 2 ** 20, downloadedBytes: 0, memoryBytes: null, peakRssBytes,
  });
  const report = {
    date: '2026-12-05T12:00:00.000Z',
    machine: { host: 'box', cpu: 'Test CPU', cores: 2, memoryBytes: 8 * 2 ** 30 },
    loadAverage: { before: [0.5, 0, 0], after: [0.7, 0, 0] },
    adapter: 'SwiftShader',
    rows: [row('wasm', 'network', 7000, 1400 * 2 ** 20), row('wasm', 'warm worker', 1100, 1400 * 2 ** 20), row('wasm', 'cache', 2200, 1200 * 2 ** 20), row('wasm', 'warm worker', 800, 1200 * 2 ** 20)],
  };

  it('is chosen by shape, one bar per phase (the warm worker after the cache load), seconds and MiB, with the load average as noise', () => {
    expect(suiteOf(report, 'startup.json')).toBe('startup');
    const [times, memory] = chartsFor(report, 'startup.json');
    expect(times!.groups.map((g) => g.label)).toEqual(['default q8 · wasm · s to ready']);
    expect(times!.groups[0]!.bars).toEqual([
      { series: 'network', value: 7 },
      { series: 'cache', value: 2.2 },
      { series: 'warm worker', value: 0.8 },
    ]);
    expect(memory!.groups[0]!.bars.map((b) => b.value)).toEqual([1400, 1200, 1200]);
    expect(memory!.groups[0]!.label).toContain('weights 9 MiB');
    expect(times!.subtitle.join('\n')).toContain('load average 0.5 before, 0.7 after');
  });
});

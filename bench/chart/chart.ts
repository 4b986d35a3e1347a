/**
 * The benchmark charts: a grouped horizontal bar chart as one self-contained SVG string, with no
 * dependency, so that a unit test can check it and png.ts can screenshot it in Chromium.
 * Groups are rows of a results table ("token greedy · ms per decode step"), series the systems
 * compared in each row; all groups share one axis, hence one unit.
 */

export interface ChartBar {
  series: string;
  /** Text left of the bar; default: its series. Several bars of one series (a system at two settings) tell themselves apart by it. */
  label?: string;
  value: number;
  /** The run's noise around `value`: the [low, high] its whisker spans (min–max, p10–p90). */
  range?: readonly [number, number];
}

export interface ChartGroup {
  label: string;
  better: 'lower' | 'higher';
  bars: ChartBar[];
}

export interface ChartSpec {
  title: string;
  /** Lines under the title: the machine, the adapter, the date, how noisy the run was. */
  subtitle: string[];
  /** Legend order; fixes each series' colour (by position, so panels sharing this list share colours). */
  series: string[];
  groups: ChartGroup[];
  /** Unit of every value on the shared axis ('' for ratios such as recall). */
  unit: string;
  /** Default: log when the values span more than 30×, where linear bars would squash the small ones. */
  scale?: 'linear' | 'log';
  /** What the whiskers show, for the legend: "min–max of 3 runs". */
  whiskers?: string;
  /** Pixels; default 1200. */
  width?: number;
}

const FONT = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif";
// Tableau 10: distinct hues that stay apart for colour-blind readers too.
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const PAD = 24;
const TITLE_SIZE = 22;
const SUBTITLE_SIZE = 14;
const LINE = 20;
const GROUP_SIZE = 15;
const TEXT_SIZE = 13;
const TICK_SIZE = 12;
const BAR_H = 20;
const BAR_GAP = 6;
const GROUP_HEADER = 26;
const GROUP_GAP = 14;

/** Log when the values span more than this ratio (and the spec does not choose). */
const LOG_SPAN = 30;

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
// No DOM in Node to measure text: DejaVu Sans averages under 0.62 em per character, so this errs wide.
const textWidth = (s: string, size: number) => s.length * size * 0.62;
/** Bold DejaVu Sans is about this much wider: titles wrap on a font size scaled by it. */
const BOLD = 1.12;
const px = (v: number) => String(Math.round(v * 100) / 100);

/** Three significant digits or so, with thousands separators: 1,234 · 56.7 · 8.90 · 0.0123. */
function formatValue(v: number): string {
  const a = Math.abs(v);
  if (a >= 100) return Math.round(v).toLocaleString('en-US');
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return String(Number(v.toPrecision(3)));
}

interface Scale {
  x: (v: number) => number;
  ticks: number[];
}

function makeScale(values: number[], log: boolean, x0: number, x1: number): Scale {
  const max = Math.max(...values);
  if (log) {
    const min = Math.min(...values);
    if (!(min > 0)) throw new Error(`a log scale needs positive values; the smallest is ${min}`);
    // The axis runs between 1-2-5 marks: the last below the smallest value, so that even its bar
    // has a length, and the first at or above the largest, so that little width goes unused.
    const marks = (e: number) => [1, 2, 5].map((m) => m * 10 ** e);
    const all = Array.from({ length: Math.ceil(Math.log10(max)) - Math.floor(Math.log10(min)) + 2 }, (_, i) => marks(Math.floor(Math.log10(min)) - 1 + i)).flat();
    const lo = all.filter((m) => m < min * (1 - 1e-9)).at(-1)!;
    const hi = all.find((m) => m >= max * (1 - 1e-9))!;
    const decades = Math.log10(hi / lo);
    // Over a few decades every 1-2-5 mark fits; over more, the decades and the two ends.
    const inside = all.filter((m) => m >= lo && m <= hi && (decades <= 3 || Number.isInteger(Math.log10(m))));
    const ticks = [...new Set([lo, ...inside, hi])];
    return { ticks, x: (v) => x0 + (Math.log10(v / lo) / decades) * (x1 - x0) };
  }
  if (Math.min(...values) < 0) throw new Error('bars start at 0: negative values are not supported');
  const raw = (max || 1) / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * p >= raw) ?? 10) * p;
  const n = Math.ceil((max || 1) / step - 1e-9);
  const ticks = Array.from({ length: n + 1 }, (_, i) => Number((i * step).toPrecision(12)));
  return { ticks, x: (v) => x0 + (v / (n * step)) * (x1 - x0) };
}

/** Greedy word wrap to lines of at most `width` pixels (as textWidth estimates them). */
function wrap(line: string, size: number, width: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    const next = current ? `${current} ${word}` : word;
    if (current && textWidth(next, size) > width) {
      out.push(current);
      current = word;
    } else current = next;
  }
  return current ? [...out, current] : out;
}

const valueLabel = (bar: ChartBar, unit: string, format: (v: number) => string) =>
  `${format(bar.value)}${unit ? ` ${unit}` : ''}${bar.range ? ` (${format(bar.range[0])}–${format(bar.range[1])})` : ''}`;

export function renderChart(spec: ChartSpec): string {
  const width = spec.width ?? 1200;
  const colour = new Map(spec.series.map((s, i) => [s, PALETTE[i % PALETTE.length]!]));
  const bars = spec.groups.flatMap((g) => g.bars);
  for (const b of bars) if (!colour.has(b.series)) throw new Error(`bar of series "${b.series}" is not in the chart's series`);
  if (bars.length === 0) throw new Error(`chart "${spec.title}" has no bars`);

  const values = bars.flatMap((b) => [b.value, ...(b.range ?? [])]);
  // Counts (submits) read as counts, not as 6.00; one format for the whole chart keeps it consistent.
  const format = values.every(Number.isInteger) ? (v: number) => v.toLocaleString('en-US') : formatValue;
  // A value at or below zero (a noisy difference of two timings) keeps the axis linear.
  const log = (spec.scale ?? (Math.min(...values) > 0 && Math.max(...values) / Math.min(...values) > LOG_SPAN ? 'log' : 'linear')) === 'log';
  const labelW = Math.max(100, ...bars.map((b) => textWidth(b.label ?? b.series, TEXT_SIZE) + 16));
  const valueW = Math.max(...bars.map((b) => textWidth(valueLabel(b, spec.unit, format), TEXT_SIZE))) + 12;
  const x0 = PAD + labelW;
  const x1 = Math.max(width - PAD - valueW, x0 + 200);
  const scale = makeScale(values, log, x0, x1);

  const out: string[] = [];
  const text = (x: number, y: number, s: string, attrs = '') => out.push(`<text x="${px(x)}" y="${px(y)}"${attrs}>${escape(s)}</text>`);
  // A panel continuing the one above it in the same PNG may have no title.
  let y = PAD - 8;
  for (const line of spec.title ? wrap(spec.title, TITLE_SIZE * BOLD, width - 2 * PAD) : []) {
    y += TITLE_SIZE + 6;
    text(PAD, y, line, ` font-size="${TITLE_SIZE}" font-weight="bold" fill="#111"`);
  }
  y += 6;
  for (const line of spec.subtitle.flatMap((l) => wrap(l, SUBTITLE_SIZE, width - 2 * PAD))) {
    y += LINE;
    text(PAD, y, line, ` font-size="${SUBTITLE_SIZE}" fill="#444"`);
  }

  // Legend: a swatch per series, then what the whiskers mean; wraps at the right edge.
  y += 14;
  let lx = PAD;
  const legendItem = (w: number) => {
    if (lx + w > width - PAD && lx > PAD) {
      lx = PAD;
      y += 22;
    }
    const at = lx;
    lx += w + 24;
    return at;
  };
  // Only the series with bars here; colours stay those of spec.series, the same in every panel of a suite.
  for (const s of spec.series.filter((name) => bars.some((b) => b.series === name))) {
    const at = legendItem(20 + textWidth(s, TEXT_SIZE));
    out.push(`<rect x="${px(at)}" y="${px(y)}" width="14" height="14" fill="${colour.get(s)}"/>`);
    text(at + 20, y + 12, s, ` font-size="${TEXT_SIZE}" fill="#222"`);
  }
  if (spec.whiskers && bars.some((b) => b.range)) {
    const label = `whiskers: ${spec.whiskers}`;
    const at = legendItem(28 + textWidth(label, TEXT_SIZE));
    out.push(`<path d="M${at} ${y + 2}v10M${at} ${y + 7}h20M${at + 20} ${y + 2}v10" stroke="#222" stroke-width="1.5" fill="none"/>`);
    text(at + 28, y + 12, label, ` font-size="${TEXT_SIZE}" fill="#222"`);
  }
  y += 14 + 18;

  const plotTop = y;
  const body: string[] = [];
  for (const g of spec.groups) {
    body.push(
      `<text x="${PAD}" y="${px(y + 17)}" font-size="${GROUP_SIZE}" font-weight="bold" fill="#111">${escape(g.label)}` +
        `<tspan dx="10" font-size="${TEXT_SIZE}" font-weight="normal" fill="#666">${g.better === 'lower' ? '↓ lower is better' : '↑ higher is better'}</tspan></text>`,
    );
    y += GROUP_HEADER;
    for (const b of g.bars) {
      const end = scale.x(b.value);
      const mid = y + BAR_H / 2;
      body.push(`<text x="${px(x0 - 8)}" y="${px(mid + 4.5)}" font-size="${TEXT_SIZE}" fill="#222" text-anchor="end">${escape(b.label ?? b.series)}</text>`);
      body.push(`<rect class="bar" x="${px(x0)}" y="${px(y)}" width="${px(end - x0)}" height="${BAR_H}" fill="${colour.get(b.series)}"/>`);
      let labelX = end;
      if (b.range) {
        const [lo, hi] = [scale.x(b.range[0]), scale.x(b.range[1])];
        body.push(`<path class="whisker" d="M${px(lo)} ${px(mid - 5)}v10M${px(lo)} ${px(mid)}H${px(hi)}M${px(hi)} ${px(mid - 5)}v10" stroke="#222" stroke-width="1.5" fill="none"/>`);
        labelX = Math.max(end, hi);
      }
      body.push(`<text x="${px(labelX + 6)}" y="${px(mid + 4.5)}" font-size="${TEXT_SIZE}" fill="#222">${escape(valueLabel(b, spec.unit, format))}</text>`);
      y += BAR_H + BAR_GAP;
    }
    y += GROUP_GAP;
  }
  const plotBottom = y;

  // Grid behind the bars, axis and tick labels under them.
  for (const t of scale.ticks) {
    const x = px(scale.x(t));
    out.push(`<line x1="${x}" y1="${px(plotTop)}" x2="${x}" y2="${px(plotBottom)}" stroke="#e3e3e3"/>`);
    const label = t.toLocaleString('en-US', { maximumSignificantDigits: 6 });
    out.push(`<text class="tick" x="${x}" y="${px(plotBottom + 18)}" font-size="${TICK_SIZE}" fill="#555" text-anchor="middle">${escape(label)}</text>`);
  }
  out.push(...body);
  out.push(`<line x1="${px(x0)}" y1="${px(plotBottom)}" x2="${px(x1)}" y2="${px(plotBottom)}" stroke="#888"/>`);
  const axis = [spec.unit, log ? 'log scale' : ''].filter(Boolean).join(', ');
  if (axis) text((x0 + x1) / 2, plotBottom + 38, axis, ` font-size="${TEXT_SIZE}" fill="#444" text-anchor="middle"`);
  const height = Math.ceil(plotBottom + 38 + PAD);

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${escape(FONT)}">` +
    `<rect width="${width}" height="${height}" fill="#fff"/>${out.join('')}</svg>`
  );
}

import type { RetrieverBenchResult, SystemResult } from './retriever-bench.js';

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const mb = (b: number) => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(1)} kB`);

/** Prefix of the page's console line that carries one finished SystemResult to run.ts. */
export const PARTIAL_MARKER = '@@retriever-partial ';

/** Versions of the packages behind the systems, as run.ts read them from node_modules. */
export type Versions = Record<string, string>;

/** The markdown tables of one run: one row per index (at the chosen ef), then the failures, the sweeps and the notes. */
export function formatRetrieverBench(r: RetrieverBenchResult, versions: Versions = {}): string {
  const v = (pkg: string) => (versions[pkg] ? ` ${versions[pkg]}` : '');
  const pkgOf: Record<string, string> = { ours: 'hnswlib-wasm', hnswlib: 'hnswlib-wasm', edgevec: 'edgevec', voy: 'voy-search', mememo: 'mememo' };
  const name = (s: SystemResult) => (pkgOf[s.id] && versions[pkgOf[s.id]!] ? `${s.name} [${pkgOf[s.id]}${v(pkgOf[s.id]!)}]` : s.name);
  const out: string[] = [
    `retrieval: ${r.description}; ${r.queries} queries one at a time, k = ${r.k}; recall@${r.k} against exact CPU`,
    `adapter: ${r.adapterError ? `none (${r.adapterError})` : `${r.adapter.vendor} / ${r.adapter.architecture} / ${r.adapter.description || r.adapter.device}`}; ${r.hardwareConcurrency} logical cores; ${r.userAgent}`,
    `HNSW M=${r.hnswParams.m}, M0=${r.hnswParams.m0}, efConstruction=${r.hnswParams.efConstruction} for every HNSW; ef = lowest of the sweep with recall@${r.k} ≥ ${r.target}; ${r.repeats} passes at that ef (p99 range = per-pass p99s)`,
    '',
    `| index | ef | build s | index bytes (IndexedDB) | p50 ms | p99 ms | p10–p90 ms | p99 range ms | mean ms | recall@${r.k} |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const s of r.systems) {
    const bytes = s.persisted ? `${mb(s.persisted.bytes)}${s.persisted.putError ? ' (put failed)' : ''}` : s.notPersisted?.startsWith('save/serialize failed') ? 'serialize failed' : s.ok ? 'not persistable' : '–';
    for (const row of s.rows) {
      const L = row.latency;
      const label = row.label.replace(s.name, name(s));
      const range = L.p99Passes.length > 1 ? `${ms(Math.min(...L.p99Passes))}–${ms(Math.max(...L.p99Passes))}` : '–';
      const batch = row.batchMs !== undefined;
      out.push(
        `| ${label} | ${row.ef ?? '–'} | ${s.buildMs !== undefined ? (s.buildMs / 1000).toFixed(1) : '–'} | ${bytes} | ${batch ? '–' : ms(L.p50)} | ${batch ? '–' : ms(L.p99)} | ${batch ? '–' : `${ms(L.p10)}–${ms(L.p90)}`} | ${batch ? '–' : range} | ${ms(L.mean)}${batch ? ' (batch / queries)' : ''} | ${Number.isNaN(row.recall) ? "–" : row.recall.toFixed(3)}${row.note?.startsWith('no ef') ? ' (target not reached)' : ''} |`,
      );
    }
    if (!s.ok) out.push(`| ${name(s)} | – | ${s.buildMs !== undefined ? `≥ ${(s.buildMs / 1000).toFixed(0)}` : '–'} | – | – | – | – | – | – | failed (below) |`);
  }
  const failed = r.systems.filter((s) => !s.ok);
  if (failed.length) {
    out.push('', 'Failed:');
    for (const s of failed) out.push(`- ${name(s)}: ${s.error}`);
  }
  const swept = r.systems.filter((s) => s.sweep?.length);
  if (swept.length) {
    out.push('', `ef sweeps (one pass each): ef → recall@${r.k} / p99 ms`);
    for (const s of swept) out.push(`- ${name(s)}: ${s.sweep!.map((p) => `${p.ef} → ${p.recall.toFixed(3)} / ${ms(p.p99)}`).join(', ')}`);
  }
  out.push('', 'Notes:');
  for (const s of r.systems) {
    const parts = [`metric: ${s.metric}`];
    if (s.persisted) {
      const p = s.persisted;
      const put = p.putError ? `IndexedDB put FAILED: ${p.putError}` : `IndexedDB put ${(p.idbPutMs / 1000).toFixed(1)} s${p.storageDelta !== null ? `, storage.estimate() grew by ${mb(p.storageDelta)}` : ''}`;
      parts.push(`bytes: ${p.note}; serialize ${(p.serializeMs / 1000).toFixed(1)} s, ${put}`);
    }
    else if (s.notPersisted) parts.push(`bytes: ${s.notPersisted}`);
    if (s.efNote) parts.push(s.efNote);
    out.push(`- ${name(s)}: ${parts.join('; ')}`);
  }
  return out.join('\n');
}

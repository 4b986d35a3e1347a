import type { RetrieverBenchResult } from './retriever-bench.js';

/** The side-by-side table of the retrieval bench, as bench/retriever/run.ts prints it. */
export function formatRetrieverBench(r: RetrieverBenchResult): string {
  const base = r.rows[0]!;
  const head = `${'index'.padEnd(38)}${'build s'.padStart(10)}${'ms/query'.padStart(11)}${'QPS'.padStart(9)}${`recall@${r.k}`.padStart(11)}${'speed vs exact CPU'.padStart(20)}`;
  const lines = r.rows.map(
    (row) =>
      `${row.name.padEnd(38)}${(row.buildMs / 1000).toFixed(1).padStart(10)}${row.msPerQuery.toFixed(2).padStart(11)}${row.qps.toFixed(1).padStart(9)}${row.recall.toFixed(4).padStart(11)}${`${(base.msPerQuery / row.msPerQuery).toFixed(2)}×`.padStart(20)}`,
  );
  return [
    `retrieval: ${r.n.toLocaleString('en-US')} × ${r.dim} seeded ${r.data === 'lowrank' ? 'low-rank (32-d subspace + noise)' : 'uniform random'} vectors, ${r.queries} queries one at a time, k = ${r.k}`,
    `adapter: ${r.adapter.vendor} / ${r.adapter.architecture}; HNSW M=${r.hnswParams.m}, efConstruction=${r.hnswParams.efConstruction}`,
    '',
    head,
    ...lines,
  ].join('\n');
}

import type { DecodeStepResult, PathTiming } from './decode-step.js';

/** The results table of the decode-step bench, as bench/run.ts prints it. */
export function formatDecodeStep(r: DecodeStepResult): string {
  const row = (name: string, t: PathTiming): string =>
    `${name.padEnd(44)}${t.medianMs.toFixed(3).padStart(12)}${`${t.p10Ms.toFixed(3)}–${t.p90Ms.toFixed(3)}`.padStart(20)}${t.submitsPerStep.toFixed(1).padStart(10)}`;
  const a = r.adapter;
  const lines = [
    'one RAG-Token decoding step after the generator: the product step vs the step before the kernel runner',
    `adapter: ${a.vendor} / ${a.architecture}${a.description ? ` (${a.description})` : ''}`,
    `${r.iterations} timed iterations after ${r.warmup} warm-up, both paths in each, order alternating`,
  ];
  for (const s of r.scenarios) {
    const { beams, nDocs, vocab, k, cacheTensors, cacheBytes } = s.shape;
    const ratio = s.previous.medianMs / s.product.medianMs;
    lines.push(
      '',
      `${s.name}: B=1, beams=${beams}, n_docs=${nDocs}, V=${vocab}, k=${k}${cacheTensors ? `, cache ${cacheTensors} tensors (${(cacheBytes / 2 ** 20).toFixed(1)} MiB) reordered` : ''}`,
      `${'path'.padEnd(44)}${'median ms'.padStart(12)}${'p10–p90 ms'.padStart(20)}${'submits'.padStart(10)}`,
      row('product: GpuRagMath.selectCandidates', s.product),
      row('previous: one submit per kernel and gather', s.previous),
      `previous/product median time: ${ratio.toFixed(2)}×; same candidates${cacheTensors ? ' and cache rows' : ''}: ${s.agree ? 'yes' : 'NO'}`,
    );
  }
  return lines.join('\n');
}

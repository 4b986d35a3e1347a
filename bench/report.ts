import type { MarginalizeTopKResult, PathTiming } from './marginalize-topk.js';

/** The results table of the marginalize + top-k bench, as bench/run.ts prints it. */
export function formatMarginalizeTopK(r: MarginalizeTopKResult): string {
  const { batch, nDocs, seqLen, vocab, k } = r.shape;
  const row = (name: string, t: PathTiming): string =>
    `${name.padEnd(40)}${t.medianMs.toFixed(3).padStart(12)}${`${t.p10Ms.toFixed(3)}–${t.p90Ms.toFixed(3)}`.padStart(20)}${t.bytesReadBack.toLocaleString('en-US').padStart(16)}`;
  const ratio = r.cpu.medianMs / r.gpu.medianMs;
  const a = r.adapter;
  return [
    `marginalize + top-k, one decoding step: B=${batch}, n_docs=${nDocs}, T=${seqLen}, V=${vocab}, k=${k}`,
    `adapter: ${a.vendor} / ${a.architecture}${a.description ? ` (${a.description})` : ''}`,
    `${r.iterations} timed iterations after ${r.warmup} warm-up, both paths in each, order alternating`,
    '',
    `${'path'.padEnd(40)}${'median ms'.padStart(12)}${'p10–p90 ms'.padStart(20)}${'bytes read'.padStart(16)}`,
    row('GPU: marginalize → top-k → read k', r.gpu),
    row('CPU: read logits → JS references', r.cpu),
    '',
    `CPU/GPU median time: ${ratio.toFixed(2)}× (${ratio >= 1 ? `GPU path ${ratio.toFixed(2)}× faster` : `GPU path ${(1 / ratio).toFixed(2)}× slower`})`,
    `read back: ${(r.cpu.bytesReadBack / r.gpu.bytesReadBack).toFixed(0)}× fewer bytes on the GPU path`,
    `results agree (ids equal, scores within 1e-4): ${r.agree ? 'yes' : 'NO'}`,
  ].join('\n');
}

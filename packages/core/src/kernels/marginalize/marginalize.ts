import { KernelRunner } from '../../gpu/kernel-runner.js';
import type { Kernel } from '../../gpu/program.js';
import rowStatsCode from './marginalize-row-stats.wgsl?raw';
import code from './marginalize.wgsl?raw';
import { logitsInBuffer, logitsSnippet, wgslSnippets, type LogitsDtype } from '../wgsl/index.js';
import { validateMarginalize, type MarginalizeShape } from './marginalize.validate.js';

/** f32 words per row of the row-stats buffer: (lse, Σ_v log-softmax, doc log-prob). */
export const ROW_STATS_STRIDE = 3;

export function marginalizeRowStatsKernel(dtype: LogitsDtype = 'f32'): Kernel {
  const snippets = [logitsSnippet(dtype), wgslSnippets.floatBits, wgslSnippets.rowMax];
  return { name: 'marginalizeRowStats', variant: dtype, code: rowStatsCode, workgroupSize: 256, snippets };
}

export function marginalizeKernel(dtype: LogitsDtype = 'f32'): Kernel {
  const snippets = [logitsSnippet(dtype), wgslSnippets.floatBits, wgslSnippets.ragTokenMarginal];
  return { name: 'marginalize', variant: dtype, code, workgroupSize: 256, snippets };
}

/**
 * Stage 1: per row r = (b·nDocs + z)·seqLen + t of the seq logits, ROW_STATS_STRIDE f32 words:
 * lse (the log-softmax shift; NaN for a row of all −inf), the sum of the row's log-softmax over
 * vocab (RAG's label-smoothing term) and log_softmax(docScores[b])_z. Also the first stage of the
 * RAG NLL kernels. The stats are an intermediate of `run` (freed after its submit).
 */
export function encodeMarginalizeRowStats(run: KernelRunner, seqLogits: GPUBuffer, docScores: GPUBuffer, shape: MarginalizeShape): GPUBuffer {
  validateMarginalize('marginalizeRowStats', shape, logitsInBuffer(seqLogits.size, shape.dtype), docScores.size / 4, 'buffer');
  const { batch, nDocs, seqLen, vocab } = shape;
  const rows = batch * nDocs * seqLen;
  const stats = run.scratch(rows * ROW_STATS_STRIDE * 4, 'marginalizeRowStats.stats');
  const params = run.uniform([rows, vocab, seqLen, nDocs], 'marginalizeRowStats.params');
  run.dispatch(marginalizeRowStatsKernel(shape.dtype), [params, seqLogits, docScores, stats], { workgroups: rows });
  return stats;
}

/**
 * GPU RAG-Token marginalization (`RagTokenForGeneration.marginalize`): seq logits
 * (batch·nDocs × seqLen × vocab) and doc scores (batch × nDocs) f32 buffers -> a new
 * (batch × seqLen × vocab) f32 buffer of marginalized log-probabilities, the caller's to destroy.
 * Two stages (row stats, then the logsumexp over docs).
 */
export function runMarginalize(gpu: GPUDevice | KernelRunner, seqLogits: GPUBuffer, docScores: GPUBuffer, shape: MarginalizeShape): GPUBuffer {
  validateMarginalize('marginalize', shape, logitsInBuffer(seqLogits.size, shape.dtype), docScores.size / 4, 'buffer');
  const { batch, nDocs, seqLen, vocab } = shape;
  return KernelRunner.on(gpu, 'marginalize', (run) => {
    const stats = encodeMarginalizeRowStats(run, seqLogits, docScores, shape);
    const out = run.output(batch * seqLen * vocab * 4, 'marginalize.output');
    const params = run.uniform([batch, nDocs, seqLen, vocab], 'marginalize.params');
    run.dispatch(marginalizeKernel(shape.dtype), [params, seqLogits, stats, out], { invocations: batch * seqLen * vocab });
    return out;
  });
}

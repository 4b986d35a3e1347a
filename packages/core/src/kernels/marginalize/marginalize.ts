import { createOutputBuffer } from '../../gpu/buffers.js';
import { createUniformBuffer, dispatch, getPipeline } from '../../gpu/program.js';
import rowStatsCode from './marginalize-row-stats.wgsl?raw';
import code from './marginalize.wgsl?raw';
import { logitsInBuffer, logitsSnippet, wgslSnippets, type LogitsDtype } from '../wgsl/index.js';
import { validateMarginalize, type MarginalizeShape } from './marginalize.validate.js';

const WORKGROUP = 256;

/** f32 words per row of the row-stats buffer: (lse, Σ_v log-softmax, doc log-prob). */
export const ROW_STATS_STRIDE = 3;

export function createMarginalizeRowStatsProgram(device: GPUDevice, dtype: LogitsDtype = 'f32'): GPUComputePipeline {
  const snippets = [logitsSnippet(dtype), wgslSnippets.floatBits, wgslSnippets.rowMax];
  return getPipeline(device, { name: 'marginalizeRowStats', variant: dtype, code: rowStatsCode, snippets });
}

export function createMarginalizeProgram(device: GPUDevice, dtype: LogitsDtype = 'f32'): GPUComputePipeline {
  const snippets = [logitsSnippet(dtype), wgslSnippets.floatBits, wgslSnippets.ragTokenMarginal];
  return getPipeline(device, { name: 'marginalize', variant: dtype, code, snippets });
}

/**
 * Stage 1: per row r = (b·nDocs + z)·seqLen + t of the seq logits, a new f32 buffer of
 * ROW_STATS_STRIDE words: lse (the log-softmax shift; NaN for a row of all −inf), the sum of the
 * row's log-softmax over vocab (RAG's label-smoothing term) and log_softmax(docScores[b])_z.
 * Also the first stage of the RAG NLL kernels. The caller owns the returned buffer.
 */
export function runMarginalizeRowStats(
  device: GPUDevice,
  seqLogits: GPUBuffer,
  docScores: GPUBuffer,
  shape: MarginalizeShape,
  encoder?: GPUCommandEncoder,
): GPUBuffer {
  validateMarginalize('marginalizeRowStats', shape, logitsInBuffer(seqLogits.size, shape.dtype), docScores.size / 4, 'buffer');
  const { batch, nDocs, seqLen, vocab } = shape;
  const rows = batch * nDocs * seqLen;
  const stats = createOutputBuffer(device, rows * ROW_STATS_STRIDE * 4, 'marginalizeRowStats.stats');
  const params = createUniformBuffer(device, [rows, vocab, seqLen, nDocs], 'marginalizeRowStats.params');
  dispatch(device, {
    pipeline: createMarginalizeRowStatsProgram(device, shape.dtype),
    label: 'marginalizeRowStats',
    buffers: [params, seqLogits, docScores, stats],
    workgroups: rows,
    ...(encoder ? { encoder } : {}),
  });
  return stats;
}

/**
 * GPU RAG-Token marginalization (`RagTokenForGeneration.marginalize`): seq logits
 * (batch·nDocs × seqLen × vocab) and doc scores (batch × nDocs) f32 buffers -> a new
 * (batch × seqLen × vocab) f32 buffer of marginalized log-probabilities, the caller's to destroy.
 * Two stages (row stats, then the logsumexp over docs); the small stats buffer is destroyed here
 * when this call submits its own work, and left to garbage collection when the caller's encoder
 * is used (it must outlive the caller's submit).
 */
export function runMarginalize(
  device: GPUDevice,
  seqLogits: GPUBuffer,
  docScores: GPUBuffer,
  shape: MarginalizeShape,
  encoder?: GPUCommandEncoder,
): GPUBuffer {
  validateMarginalize('marginalize', shape, logitsInBuffer(seqLogits.size, shape.dtype), docScores.size / 4, 'buffer');
  const { batch, nDocs, seqLen, vocab } = shape;
  const enc = encoder ?? device.createCommandEncoder({ label: 'marginalize' });
  const stats = runMarginalizeRowStats(device, seqLogits, docScores, shape, enc);
  const out = createOutputBuffer(device, batch * seqLen * vocab * 4, 'marginalize.output');
  const params = createUniformBuffer(device, [batch, nDocs, seqLen, vocab], 'marginalize.params');
  dispatch(device, {
    pipeline: createMarginalizeProgram(device, shape.dtype),
    label: 'marginalize',
    buffers: [params, seqLogits, stats, out],
    workgroups: Math.ceil((batch * seqLen * vocab) / WORKGROUP),
    encoder: enc,
  });
  if (!encoder) {
    device.queue.submit([enc.finish()]);
    stats.destroy();
  }
  return out;
}

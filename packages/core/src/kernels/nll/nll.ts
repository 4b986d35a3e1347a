import { createOutputBuffer } from '../../gpu/buffers.js';
import { createUniformBuffer, dispatch, getPipeline } from '../../gpu/program.js';
import { runMarginalizeRowStats } from '../marginalize/marginalize.js';
import sequenceLossCode from './nll-sequence-loss.wgsl?raw';
import tokenLossCode from './nll-token-loss.wgsl?raw';
import tokenRowsCode from './nll-token-rows.wgsl?raw';
import { logitsInBuffer, logitsSnippet, wgslSnippets, type LogitsDtype } from '../wgsl/index.js';
import {
  ragNllLength,
  validateRagNll,
  type RagNllOptions,
  type RagNllShape,
  type RagSequenceNllOptions,
} from './nll.validate.js';

export function createRagTokenNllPrograms(device: GPUDevice, dtype: LogitsDtype = 'f32'): { rows: GPUComputePipeline; loss: GPUComputePipeline } {
  return {
    rows: getPipeline(device, {
      name: 'ragTokenNllRows',
      variant: dtype,
      code: tokenRowsCode,
      snippets: [logitsSnippet(dtype), wgslSnippets.floatBits, wgslSnippets.ragTokenMarginal],
    }),
    loss: getPipeline(device, { name: 'ragTokenNllLoss', code: tokenLossCode }),
  };
}

export function createRagSequenceNllProgram(device: GPUDevice, dtype: LogitsDtype = 'f32'): GPUComputePipeline {
  const snippets = [logitsSnippet(dtype), wgslSnippets.floatBits];
  return getPipeline(device, { name: 'ragSequenceNllLoss', variant: dtype, code: sequenceLossCode, snippets });
}

/**
 * GPU RagTokenForGeneration.get_nll: seq logits (batch·nDocs × seqLen × vocab) f32, doc scores
 * (batch × nDocs) f32 and the raw labels given to forward (batch × seqLen, int32 or u32 ids;
 * shifted inside) -> a new f32 buffer [loss | nllLoss | smoothLoss], each
 * ragNllLength(batch, reduceLoss) long (see RagNllResult). Stages: row stats, per-position
 * marginal terms (one workgroup per (b, t), the marginal is never stored), a one-thread tail.
 * Intermediate buffers are destroyed here when this call submits its own work, and left to
 * garbage collection (O(batch·nDocs·seqLen) floats) when the caller's encoder is used.
 */
export function runRagTokenNll(
  device: GPUDevice,
  seqLogits: GPUBuffer,
  docScores: GPUBuffer,
  labels: GPUBuffer,
  shape: RagNllShape,
  options: RagNllOptions,
  encoder?: GPUCommandEncoder,
): GPUBuffer {
  const lengths = { seqLogits: logitsInBuffer(seqLogits.size, shape.dtype), docScores: docScores.size / 4, labels: labels.size / 4 };
  validateRagNll('ragTokenNll', shape, lengths, options, 'buffer');
  const { batch, nDocs, seqLen, vocab } = shape;
  const { epsilon = 0, reduceLoss = false } = options;
  const programs = createRagTokenNllPrograms(device, shape.dtype);
  const enc = encoder ?? device.createCommandEncoder({ label: 'ragTokenNll' });
  const stats = runMarginalizeRowStats(device, seqLogits, docScores, shape, enc);
  const rows = createOutputBuffer(device, batch * seqLen * 2 * 4, 'ragTokenNll.rows');
  const rowsParams = createUniformBuffer(device, [batch, nDocs, seqLen, vocab, options.padTokenId], 'ragTokenNllRows.params');
  dispatch(device, {
    pipeline: programs.rows,
    label: 'ragTokenNllRows',
    buffers: [rowsParams, seqLogits, stats, labels, rows],
    workgroups: batch * seqLen,
    encoder: enc,
  });
  const out = createOutputBuffer(device, 3 * ragNllLength(batch, reduceLoss) * 4, 'ragTokenNll.loss');
  const lossParams = createUniformBuffer(device, [batch, seqLen, vocab, reduceLoss ? 1 : 0, { f32: epsilon }], 'ragTokenNllLoss.params');
  dispatch(device, { pipeline: programs.loss, label: 'ragTokenNllLoss', buffers: [lossParams, rows, out], workgroups: 1, encoder: enc });
  if (!encoder) {
    device.queue.submit([enc.finish()]);
    for (const b of [stats, rows, rowsParams, lossParams]) b.destroy();
  }
  return out;
}

/**
 * GPU RagSequenceForGeneration.get_nll, same buffers and output layout as runRagTokenNll, with
 * `labels` = what forward passes (its decoder_input_ids, i.e. the labels unless given apart).
 * Stages: row stats (lse, Σ log-softmax, doc log-prob per row), then a one-thread tail that
 * gathers the target logits and does the per-doc sums and the logsumexp over docs.
 */
export function runRagSequenceNll(
  device: GPUDevice,
  seqLogits: GPUBuffer,
  docScores: GPUBuffer,
  labels: GPUBuffer,
  shape: RagNllShape,
  options: RagSequenceNllOptions,
  encoder?: GPUCommandEncoder,
): GPUBuffer {
  const lengths = { seqLogits: logitsInBuffer(seqLogits.size, shape.dtype), docScores: docScores.size / 4, labels: labels.size / 4 };
  validateRagNll('ragSequenceNll', shape, lengths, options, 'buffer');
  const { batch, nDocs, seqLen, vocab } = shape;
  const { epsilon = 0, reduceLoss = false, excludeBosScore = false, bosTokenId = null } = options;
  const flags = (reduceLoss ? 1 : 0) | (excludeBosScore ? 2 : 0) | (bosTokenId !== null ? 4 : 0);
  const enc = encoder ?? device.createCommandEncoder({ label: 'ragSequenceNll' });
  const stats = runMarginalizeRowStats(device, seqLogits, docScores, shape, enc);
  const out = createOutputBuffer(device, 3 * ragNllLength(batch, reduceLoss) * 4, 'ragSequenceNll.loss');
  const params = createUniformBuffer(
    device,
    [batch, nDocs, seqLen, vocab, options.padTokenId, bosTokenId ?? 0, flags, { f32: epsilon }],
    'ragSequenceNllLoss.params',
  );
  dispatch(device, {
    pipeline: createRagSequenceNllProgram(device, shape.dtype),
    label: 'ragSequenceNllLoss',
    buffers: [params, seqLogits, stats, labels, out],
    workgroups: 1,
    encoder: enc,
  });
  if (!encoder) {
    device.queue.submit([enc.finish()]);
    for (const b of [stats, params]) b.destroy();
  }
  return out;
}

import { KernelRunner } from '../../gpu/kernel-runner.js';
import type { Kernel } from '../../gpu/program.js';
import { encodeMarginalizeRowStats } from '../marginalize/marginalize.js';
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

export function ragTokenNllKernels(dtype: LogitsDtype = 'f32'): { rows: Kernel; loss: Kernel } {
  return {
    rows: {
      name: 'ragTokenNllRows',
      variant: dtype,
      code: tokenRowsCode,
      workgroupSize: 256,
      snippets: [logitsSnippet(dtype), wgslSnippets.floatBits, wgslSnippets.ragTokenMarginal],
    },
    // A one-thread tail over (batch × seqLen) partial sums.
    loss: { name: 'ragTokenNllLoss', code: tokenLossCode, workgroupSize: 1 },
  };
}

export function ragSequenceNllKernel(dtype: LogitsDtype = 'f32'): Kernel {
  return { name: 'ragSequenceNllLoss', variant: dtype, code: sequenceLossCode, workgroupSize: 1, snippets: [logitsSnippet(dtype), wgslSnippets.floatBits] };
}

/**
 * GPU RagTokenForGeneration.get_nll: seq logits (batch·nDocs × seqLen × vocab) f32, doc scores
 * (batch × nDocs) f32 and the raw labels given to forward (batch × seqLen, int32 or u32 ids;
 * shifted inside) -> a new f32 buffer [loss | nllLoss | smoothLoss], each
 * ragNllLength(batch, reduceLoss) long (see RagNllResult). Stages: row stats, per-position
 * marginal terms (one workgroup per (b, t), the marginal is never stored), a one-thread tail.
 */
export function runRagTokenNll(
  gpu: GPUDevice | KernelRunner,
  seqLogits: GPUBuffer,
  docScores: GPUBuffer,
  labels: GPUBuffer,
  shape: RagNllShape,
  options: RagNllOptions,
): GPUBuffer {
  const lengths = { seqLogits: logitsInBuffer(seqLogits.size, shape.dtype), docScores: docScores.size / 4, labels: labels.size / 4 };
  validateRagNll('ragTokenNll', shape, lengths, options, 'buffer');
  const { batch, nDocs, seqLen, vocab } = shape;
  const { epsilon = 0, reduceLoss = false } = options;
  const kernels = ragTokenNllKernels(shape.dtype);
  return KernelRunner.on(gpu, 'ragTokenNll', (run) => {
    const stats = encodeMarginalizeRowStats(run, seqLogits, docScores, shape);
    const rows = run.scratch(batch * seqLen * 2 * 4, 'ragTokenNll.rows');
    const rowsParams = run.uniform([batch, nDocs, seqLen, vocab, options.padTokenId], 'ragTokenNllRows.params');
    run.dispatch(kernels.rows, [rowsParams, seqLogits, stats, labels, rows], { workgroups: batch * seqLen });
    const out = run.output(3 * ragNllLength(batch, reduceLoss) * 4, 'ragTokenNll.loss');
    const lossParams = run.uniform([batch, seqLen, vocab, reduceLoss ? 1 : 0, { f32: epsilon }], 'ragTokenNllLoss.params');
    run.dispatch(kernels.loss, [lossParams, rows, out], { workgroups: 1 });
    return out;
  });
}

/**
 * GPU RagSequenceForGeneration.get_nll, same buffers and output layout as runRagTokenNll, with
 * `labels` = what forward passes (its decoder_input_ids, i.e. the labels unless given apart).
 * Stages: row stats (lse, Σ log-softmax, doc log-prob per row), then a one-thread tail that
 * gathers the target logits and does the per-doc sums and the logsumexp over docs.
 */
export function runRagSequenceNll(
  gpu: GPUDevice | KernelRunner,
  seqLogits: GPUBuffer,
  docScores: GPUBuffer,
  labels: GPUBuffer,
  shape: RagNllShape,
  options: RagSequenceNllOptions,
): GPUBuffer {
  const lengths = { seqLogits: logitsInBuffer(seqLogits.size, shape.dtype), docScores: docScores.size / 4, labels: labels.size / 4 };
  validateRagNll('ragSequenceNll', shape, lengths, options, 'buffer');
  const { batch, nDocs, seqLen, vocab } = shape;
  const { epsilon = 0, reduceLoss = false, excludeBosScore = false, bosTokenId = null } = options;
  const flags = (reduceLoss ? 1 : 0) | (excludeBosScore ? 2 : 0) | (bosTokenId !== null ? 4 : 0);
  return KernelRunner.on(gpu, 'ragSequenceNll', (run) => {
    const stats = encodeMarginalizeRowStats(run, seqLogits, docScores, shape);
    const out = run.output(3 * ragNllLength(batch, reduceLoss) * 4, 'ragSequenceNll.loss');
    const params = run.uniform([batch, nDocs, seqLen, vocab, options.padTokenId, bosTokenId ?? 0, flags, { f32: epsilon }], 'ragSequenceNllLoss.params');
    run.dispatch(ragSequenceNllKernel(shape.dtype), [params, seqLogits, stats, labels, out], { workgroups: 1 });
    return out;
  });
}

import { createOutputBuffer } from '../../gpu/buffers.js';
import { createUniformBuffer, dispatch, getPipeline } from '../../gpu/program.js';
import code from './doc-scores.wgsl?raw';
import { validateDocScores, type DocScoresShape } from './doc-scores.validate.js';

const WORKGROUP = 64;

export function createDocScoresProgram(device: GPUDevice): GPUComputePipeline {
  return getPipeline(device, { name: 'docScores', code });
}

/**
 * GPU docScores: question (B×H) and docs (B×n×H) f32 buffers -> a new (B×n) f32 buffer.
 * The caller owns (and destroys) the returned buffer.
 */
export function runDocScores(
  device: GPUDevice,
  question: GPUBuffer,
  docs: GPUBuffer,
  shape: DocScoresShape,
  encoder?: GPUCommandEncoder,
): GPUBuffer {
  validateDocScores(shape, question.size / 4, docs.size / 4, 'buffer');
  const { batch, nDocs, hidden } = shape;
  const scores = createOutputBuffer(device, batch * nDocs * 4, 'docScores.scores');
  const params = createUniformBuffer(device, [batch, nDocs, hidden], 'docScores.params');
  dispatch(device, {
    pipeline: createDocScoresProgram(device),
    label: 'docScores',
    buffers: [params, question, docs, scores],
    workgroups: Math.ceil((batch * nDocs) / WORKGROUP),
    ...(encoder ? { encoder } : {}),
  });
  // Submitted work keeps its buffers alive; destroying now only frees them early.
  if (!encoder) params.destroy();
  return scores;
}

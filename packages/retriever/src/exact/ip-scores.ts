import { createOutputBuffer, createUniformBuffer, dispatch, getPipeline } from '@rag-web/core';
import code from './ip-scores.wgsl?raw';
import { validateIpScores, type IpScoresShape } from './ip-scores.validate.js';

const WORKGROUP = 64;

export function createIpScoresProgram(device: GPUDevice): GPUComputePipeline {
  return getPipeline(device, { name: 'ipScores', code });
}

/**
 * GPU ipScores: queries (Q×D) and corpus (N×D) f32 buffers → a new (Q×N) f32 buffer, which the
 * caller owns (and destroys). With `encoder` the dispatch is only encoded.
 */
export function runIpScores(device: GPUDevice, queries: GPUBuffer, corpus: GPUBuffer, shape: IpScoresShape, encoder?: GPUCommandEncoder): GPUBuffer {
  validateIpScores(shape, queries.size / 4, corpus.size / 4, 'buffer');
  const { queries: nq, rows, dim } = shape;
  const scores = createOutputBuffer(device, nq * rows * 4, 'ipScores.scores');
  const params = createUniformBuffer(device, [nq, rows, dim], 'ipScores.params');
  dispatch(device, {
    pipeline: createIpScoresProgram(device),
    label: 'ipScores',
    buffers: [params, queries, corpus, scores],
    workgroups: Math.ceil((nq * rows) / WORKGROUP),
    ...(encoder ? { encoder } : {}),
  });
  return scores;
}

import { KernelRunner } from '../../gpu/kernel-runner.js';
import type { Kernel } from '../../gpu/program.js';
import code from './ip-scores.wgsl?raw';
import { docScoresAsIpScores, validateIpScores, type DocScoresShape, type IpScoresShape } from './ip-scores.validate.js';

export const ipScoresKernel: Kernel = { name: 'ipScores', code, workgroupSize: 64 };

/**
 * GPU ipScores: queries (Q×D) and corpus (N×D shared, or Q×N×D per query) f32 buffers → a new
 * (Q×N) f32 buffer, which the caller owns (and destroys).
 */
export function runIpScores(gpu: GPUDevice | KernelRunner, queries: GPUBuffer, corpus: GPUBuffer, shape: IpScoresShape): GPUBuffer {
  validateIpScores(shape, queries.size / 4, corpus.size / 4, 'buffer');
  const { queries: nq, rows, dim } = shape;
  return KernelRunner.on(gpu, 'ipScores', (run) => {
    const scores = run.output(nq * rows * 4, 'ipScores.scores');
    const params = run.uniform([nq, rows, dim, shape.corpus === 'perQuery' ? rows : 0], 'ipScores.params');
    run.dispatch(ipScoresKernel, [params, queries, corpus, scores], { invocations: nq * rows });
    return scores;
  });
}

/** RagModel's doc scores on the GPU: question (B×H) · docs (B×n×H) → a new (B×n) buffer. */
export function runDocScores(gpu: GPUDevice | KernelRunner, question: GPUBuffer, docs: GPUBuffer, shape: DocScoresShape): GPUBuffer {
  return runIpScores(gpu, question, docs, docScoresAsIpScores(shape));
}

import { KernelRunner } from '../../gpu/kernel-runner.js';
import type { Kernel } from '../../gpu/program.js';
import code from './gather-rows.wgsl?raw';
import { bytesPerElement, validateGatherRows, wordsPerRow, type GatherRowsShape } from './gather-rows.validate.js';

export const gatherRowsKernel: Kernel = { name: 'gatherRows', code, workgroupSize: 256 };

/**
 * GPU gatherRows: a new (outRows × rowSize) buffer whose row i is row indices[i] of `src`
 * (rows × rowSize elements of shape.dtype, default f32), e.g. past key/values reordered by the
 * beams chosen at a step. CPU indices out of [0, rows) throw ShapeError before anything is
 * uploaded; indices already on the GPU (`{ buffer, length }`, computed by an earlier kernel of
 * the same runner) are clamped by the shader. The caller owns (and destroys) the returned buffer.
 */
export function runGatherRows(
  gpu: GPUDevice | KernelRunner,
  src: GPUBuffer,
  indices: Uint32Array | { buffer: GPUBuffer; length: number },
  shape: GatherRowsShape,
): GPUBuffer {
  const bpe = bytesPerElement(shape);
  const outRows = indices.length;
  validateGatherRows(shape, Math.floor(src.size / bpe), indices instanceof Uint32Array ? indices : new Uint32Array(outRows), 'buffer');
  const words = wordsPerRow(shape);
  return KernelRunner.on(gpu, 'gatherRows', (run) => {
    const dst = run.output(outRows * words * 4, 'gatherRows.dst');
    const params = run.uniform([outRows, words, shape.rows], 'gatherRows.params');
    const indexBuffer = indices instanceof Uint32Array ? run.input(indices, 'gatherRows.indices') : indices.buffer;
    run.dispatch(gatherRowsKernel, [params, src, indexBuffer, dst], { invocations: outRows * words });
    return dst;
  });
}

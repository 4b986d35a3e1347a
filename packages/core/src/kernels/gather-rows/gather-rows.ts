import { createOutputBuffer, createStorageBuffer } from '../../gpu/buffers.js';
import { createUniformBuffer, dispatch, getPipeline } from '../../gpu/program.js';
import code from './gather-rows.wgsl?raw';
import { bytesPerElement, validateGatherRows, wordsPerRow, type GatherRowsShape } from './gather-rows.validate.js';

const WORKGROUP = 256;

export function createGatherRowsProgram(device: GPUDevice): GPUComputePipeline {
  return getPipeline(device, { name: 'gatherRows', code });
}

/**
 * GPU gatherRows: a new (indices.length × rowSize) buffer whose row i is row indices[i] of `src`
 * (rows × rowSize elements of shape.dtype, default f32), e.g. past key/values reordered by the
 * beams chosen at a step. Indices out of [0, rows) throw ShapeError before anything is uploaded.
 * The caller owns (and destroys) the returned buffer.
 */
export function runGatherRows(
  device: GPUDevice,
  src: GPUBuffer,
  indices: Uint32Array,
  shape: GatherRowsShape,
  encoder?: GPUCommandEncoder,
): GPUBuffer {
  const bpe = bytesPerElement(shape);
  validateGatherRows(shape, Math.floor(src.size / bpe), indices, 'buffer');
  const words = wordsPerRow(shape);
  const outRows = indices.length;
  const dst = createOutputBuffer(device, outRows * words * 4, 'gatherRows.dst');
  const params = createUniformBuffer(device, [outRows, words, shape.rows], 'gatherRows.params');
  const indexBuffer = createStorageBuffer(device, indices, 'gatherRows.indices');
  dispatch(device, {
    pipeline: createGatherRowsProgram(device),
    label: 'gatherRows',
    buffers: [params, src, indexBuffer, dst],
    workgroups: Math.ceil((outRows * words) / WORKGROUP),
    ...(encoder ? { encoder } : {}),
  });
  if (!encoder) {
    // Submitted work keeps its buffers alive; destroying now only frees them early.
    params.destroy();
    indexBuffer.destroy();
  }
  return dst;
}

import { createOutputBuffer, readFloat32, readUint32 } from '../../gpu/buffers.js';
import { createUniformBuffer, dispatch, getPipeline } from '../../gpu/program.js';
import type { TopKResult } from './top-k.ref.js';
import code from './top-k.wgsl?raw';
import { validateTopK, type TopKShape } from './top-k.validate.js';

/** Columns per pass-1 workgroup; must equal CHUNK in top-k.wgsl. */
const CHUNK = 4096;

export interface TopKBuffers {
  /** (rows × k) u32 column indices. */
  ids: GPUBuffer;
  /** (rows × k) f32 scores, descending within each row. */
  values: GPUBuffer;
}

/** The two pipelines of topK: per-chunk selection, then the per-row merge. */
export function createTopKProgram(device: GPUDevice): { chunk: GPUComputePipeline; merge: GPUComputePipeline } {
  return {
    chunk: getPipeline(device, { name: 'topK.chunk', code, entryPoint: 'chunkTopK' }),
    merge: getPipeline(device, { name: 'topK.merge', code, entryPoint: 'mergeTopK' }),
  };
}

/**
 * GPU topK over a (rows × cols) f32 scores buffer: new (rows × k) `ids` (u32) and `values` (f32)
 * buffers, sorted descending, ties by lower column (order and NaN handling: top-k.wgsl). Two
 * dispatches; with `encoder` they are only encoded, otherwise submitted at once. The caller owns
 * (and destroys) the returned buffers.
 */
export function runTopK(device: GPUDevice, scores: GPUBuffer, shape: TopKShape, encoder?: GPUCommandEncoder): TopKBuffers {
  validateTopK(shape, scores.size / 4, 'buffer');
  const { rows, cols, k } = shape;
  const numChunks = Math.ceil(cols / CHUNK);
  const slots = Math.min(k, CHUNK);
  const { chunk, merge } = createTopKProgram(device);
  const params = createUniformBuffer(device, [rows, cols, k, numChunks, slots], 'topK.params');
  const candidates = createOutputBuffer(device, rows * numChunks * slots * 8, 'topK.candidates');
  const ids = createOutputBuffer(device, rows * k * 4, 'topK.ids');
  const values = createOutputBuffer(device, rows * k * 4, 'topK.values');
  const enc = encoder ?? device.createCommandEncoder({ label: 'topK' });
  dispatch(device, { pipeline: chunk, label: 'topK.chunk', buffers: [params, scores, candidates], workgroups: rows * numChunks, encoder: enc });
  dispatch(device, { pipeline: merge, label: 'topK.merge', buffers: [params, scores, candidates, ids, values], workgroups: rows, encoder: enc });
  if (!encoder) {
    device.queue.submit([enc.finish()]);
    // Submitted work keeps its buffers alive; destroying now only frees them early.
    params.destroy();
    candidates.destroy();
  }
  return { ids, values };
}

/** Reads back only the selected ids and scores (rows·k·8 bytes). */
export async function readTopK(device: GPUDevice, result: TopKBuffers, rows: number, k: number): Promise<TopKResult> {
  const [ids, values] = await Promise.all([readUint32(device, result.ids, rows * k), readFloat32(device, result.values, rows * k)]);
  return { ids, values };
}

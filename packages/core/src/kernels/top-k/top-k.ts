import { KernelRunner } from '../../gpu/kernel-runner.js';
import type { Kernel } from '../../gpu/program.js';
import type { TopKResult } from './top-k.ref.js';
import code from './top-k.wgsl?raw';
import { validateTopK, type TopKShape } from './top-k.validate.js';

const WORKGROUP = 256;
/** Columns each thread of a pass-1 workgroup holds; a chunk is WORKGROUP · PER_THREAD columns. */
const PER_THREAD = 16;
const CHUNK = WORKGROUP * PER_THREAD;

export interface TopKBuffers {
  /** (rows × k) u32 column indices. */
  ids: GPUBuffer;
  /** (rows × k) f32 scores, descending within each row. */
  values: GPUBuffer;
}

/** The two passes of topK: per-chunk selection, then the per-row merge. */
export const topKKernels: { chunk: Kernel; merge: Kernel } = {
  chunk: { name: 'topK.chunk', code, entryPoint: 'chunkTopK', workgroupSize: WORKGROUP, constants: { PER_THREAD } },
  merge: { name: 'topK.merge', code, entryPoint: 'mergeTopK', workgroupSize: WORKGROUP, constants: { PER_THREAD } },
};

/**
 * GPU topK over a (rows × cols) f32 scores buffer: new (rows × k) `ids` (u32) and `values` (f32)
 * buffers, sorted descending, ties by lower column (order and NaN handling: top-k.wgsl). Two
 * dispatches. The caller owns (and destroys) the returned buffers.
 */
export function runTopK(gpu: GPUDevice | KernelRunner, scores: GPUBuffer, shape: TopKShape): TopKBuffers {
  validateTopK(shape, scores.size / 4, 'buffer');
  const { rows, cols, k } = shape;
  const numChunks = Math.ceil(cols / CHUNK);
  const slots = Math.min(k, CHUNK);
  return KernelRunner.on(gpu, 'topK', (run) => {
    const params = run.uniform([rows, cols, k, numChunks, slots], 'topK.params');
    const candidates = run.scratch(rows * numChunks * slots * 8, 'topK.candidates');
    const ids = run.output(rows * k * 4, 'topK.ids');
    const values = run.output(rows * k * 4, 'topK.values');
    run.dispatch(topKKernels.chunk, [params, scores, candidates], { workgroups: rows * numChunks });
    run.dispatch(topKKernels.merge, [params, scores, candidates, ids, values], { workgroups: rows });
    return { ids, values };
  });
}

/** Reads back only the selected ids and scores (rows·k·8 bytes), in `gpu`'s submit or one of its own. */
export async function readTopK(gpu: GPUDevice | KernelRunner, result: TopKBuffers, rows: number, k: number): Promise<TopKResult> {
  const [ids, values] = await KernelRunner.on(gpu, 'topK.read', (run) =>
    Promise.all([run.readUint32(result.ids, rows * k), run.readFloat32(result.values, rows * k)]),
  );
  return { ids, values };
}

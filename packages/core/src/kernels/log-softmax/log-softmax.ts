import { KernelRunner } from '../../gpu/kernel-runner.js';
import type { Kernel } from '../../gpu/program.js';
import { logitsInBuffer, logitsSnippet, wgslSnippets, type LogitsDtype } from '../wgsl/index.js';
import code from './log-softmax.wgsl?raw';
import { validateLogSoftmax, type LogSoftmaxShape } from './log-softmax.validate.js';

export function logSoftmaxKernel(dtype: LogitsDtype = 'f32'): Kernel {
  return { name: 'logSoftmax', variant: dtype, code, workgroupSize: 256, snippets: [logitsSnippet(dtype), wgslSnippets.floatBits, wgslSnippets.rowMax] };
}

/**
 * GPU logSoftmax over the last axis: input (rows × vocab) f32 or f16 buffer -> a new (rows × vocab) f32
 * buffer, one workgroup per row. The caller owns (and destroys) the returned buffer.
 */
export function runLogSoftmax(gpu: GPUDevice | KernelRunner, input: GPUBuffer, shape: LogSoftmaxShape): GPUBuffer {
  validateLogSoftmax(shape, logitsInBuffer(input.size, shape.dtype), 'buffer');
  const { rows, vocab } = shape;
  return KernelRunner.on(gpu, 'logSoftmax', (run) => {
    const output = run.output(rows * vocab * 4, 'logSoftmax.output');
    run.dispatch(logSoftmaxKernel(shape.dtype), [run.uniform([rows, vocab], 'logSoftmax.params'), input, output], { workgroups: rows });
    return output;
  });
}

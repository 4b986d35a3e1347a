import { createOutputBuffer } from '../../gpu/buffers.js';
import { createUniformBuffer, dispatch, getPipeline } from '../../gpu/program.js';
import { logitsInBuffer, logitsSnippet, wgslSnippets, type LogitsDtype } from '../wgsl/index.js';
import code from './log-softmax.wgsl?raw';
import { validateLogSoftmax, type LogSoftmaxShape } from './log-softmax.validate.js';

export function createLogSoftmaxProgram(device: GPUDevice, dtype: LogitsDtype = 'f32'): GPUComputePipeline {
  return getPipeline(device, { name: 'logSoftmax', variant: dtype, code, snippets: [logitsSnippet(dtype), wgslSnippets.floatBits, wgslSnippets.rowMax] });
}

/**
 * GPU logSoftmax over the last axis: input (rows × vocab) f32 or f16 buffer -> a new (rows × vocab) f32
 * buffer, one workgroup per row. The caller owns (and destroys) the returned buffer.
 */
export function runLogSoftmax(
  device: GPUDevice,
  input: GPUBuffer,
  shape: LogSoftmaxShape,
  encoder?: GPUCommandEncoder,
): GPUBuffer {
  validateLogSoftmax(shape, logitsInBuffer(input.size, shape.dtype), 'buffer');
  const { rows, vocab } = shape;
  const output = createOutputBuffer(device, rows * vocab * 4, 'logSoftmax.output');
  const params = createUniformBuffer(device, [rows, vocab], 'logSoftmax.params');
  dispatch(device, {
    pipeline: createLogSoftmaxProgram(device, shape.dtype),
    label: 'logSoftmax',
    buffers: [params, input, output],
    workgroups: rows,
    ...(encoder ? { encoder } : {}),
  });
  return output;
}

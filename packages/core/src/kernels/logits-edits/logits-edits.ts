import { createOutputBuffer, createStorageBuffer } from '../../gpu/buffers.js';
import { createUniformBuffer, dispatch, getPipeline } from '../../gpu/program.js';
import code from './logits-edits.wgsl?raw';
import { packRowEdits, validateLogitsEdits, type LogitsEditsShape, type RowEdit } from './logits-edits.validate.js';

const WORKGROUP = 256;

export function createLogitsEditsProgram(device: GPUDevice): GPUComputePipeline {
  return getPipeline(device, { name: 'logitsEdits', code });
}

/**
 * GPU logitsEdits over a (rows × V) score buffer left on the GPU (log-probs of this step):
 * returns a new (rows × V) buffer of processed scores + beam scores, ready for top-k.
 * Only the small edit lists and beam scores travel CPU → GPU; nothing is read back.
 */
export function runLogitsEdits(
  device: GPUDevice,
  scores: GPUBuffer,
  beamScores: ArrayLike<number>,
  edits: ReadonlyArray<RowEdit | undefined>,
  shape: LogitsEditsShape,
  encoder?: GPUCommandEncoder,
): GPUBuffer {
  validateLogitsEdits(shape, scores.size / 4, beamScores, edits, 'buffer');
  const { rows, vocab } = shape;
  const { specs, tokens } = packRowEdits(rows, edits);
  const inputs = [
    createStorageBuffer(device, Float32Array.from(beamScores), 'logitsEdits.beamScores'),
    createStorageBuffer(device, specs, 'logitsEdits.rowSpecs'),
    createStorageBuffer(device, tokens, 'logitsEdits.tokens'),
  ];
  const out = createOutputBuffer(device, rows * vocab * 4, 'logitsEdits.out');
  const params = createUniformBuffer(device, [rows, vocab, { f32: -Infinity }], 'logitsEdits.params');
  dispatch(device, {
    pipeline: createLogitsEditsProgram(device),
    label: 'logitsEdits',
    buffers: [params, scores, inputs[0]!, inputs[1]!, inputs[2]!, out],
    workgroups: Math.ceil((rows * vocab) / WORKGROUP),
    ...(encoder ? { encoder } : {}),
  });
  // Submitted work keeps its buffers alive; destroying now only frees them early.
  if (!encoder) for (const b of [params, ...inputs]) b.destroy();
  return out;
}

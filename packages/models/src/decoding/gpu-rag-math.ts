import {
  createStorageBuffer,
  ragNllLength,
  readFloat32,
  readTopK,
  runGatherRows,
  runLogitsEdits,
  runLogSoftmax,
  runMarginalize,
  runRagSequenceNll,
  runRagTokenNll,
  runTopK,
  type RagNllShape,
  type RagSequenceNllOptions,
  type TopKResult,
} from '@rag-web/core';
import type { Tensor } from 'onnxruntime-web';
import type { Ort } from '../ort/runtime.js';
import { logitsDtype } from '../ort/tensors.js';
import { rowsOf, type CandidateRequest, type RagMath, type StepLogits } from './rag-math.js';

/**
 * RagMath as WebGPU shaders on the device shared with onnxruntime-web: the decoder's logits
 * never leave the GPU; each step reads back k ids and k scores per batch item.
 */
export class GpuRagMath implements RagMath {
  readonly backend = 'webgpu';

  constructor(
    private readonly ort: Ort,
    private readonly device: GPUDevice,
  ) {}

  async selectCandidates(step: StepLogits, request: CandidateRequest): Promise<TopKResult> {
    const { batch, beams, vocab, k, beamScores, edits } = request;
    const rows = batch * beams;
    const device = this.device;
    const logits = gpuBufferOf(step.logits);
    const temporaries: GPUBuffer[] = [];
    let logprobs: GPUBuffer;
    if (step.kind === 'marginalize') {
      const docScores = createStorageBuffer(device, step.docScores, 'rag.docScores');
      const marginal = runMarginalize(device, logits, docScores, { batch: rows, nDocs: step.nDocs, seqLen: 1, vocab, dtype: logitsDtype(step.logits) });
      // transformers' beam search applies log_softmax to the (already normalized) marginal.
      logprobs = runLogSoftmax(device, marginal, { rows, vocab });
      temporaries.push(docScores, marginal);
    } else {
      logprobs = runLogSoftmax(device, logits, { rows, vocab, dtype: logitsDtype(step.logits) });
    }
    const scores = runLogitsEdits(device, logprobs, beamScores, edits, { rows, vocab });
    const top = runTopK(device, scores, { rows: batch, cols: beams * vocab, k });
    temporaries.push(logprobs, scores);
    try {
      return await readTopK(device, top, batch, k);
    } finally {
      for (const b of [...temporaries, top.ids, top.values]) b.destroy();
    }
  }

  async gatherRows(tensor: Tensor, indices: Uint32Array): Promise<Tensor> {
    const { rows, rowSize } = rowsOf(tensor);
    const dtype = logitsDtype(tensor);
    const buffer = runGatherRows(this.device, gpuBufferOf(tensor), indices, { rows, rowSize, dtype });
    return this.ort.Tensor.fromGpuBuffer(buffer, {
      dataType: dtype === 'f16' ? 'float16' : 'float32',
      dims: [indices.length, ...tensor.dims.slice(1)],
      dispose: () => buffer.destroy(),
    });
  }

  async nll(variant: 'token' | 'sequence', logits: Tensor, docScores: Float32Array, labels: Int32Array, shape: RagNllShape, options: RagSequenceNllOptions): Promise<Float32Array> {
    const device = this.device;
    const scores = createStorageBuffer(device, docScores, 'rag.docScores');
    const labelBuffer = createStorageBuffer(device, labels, 'rag.labels');
    const run = variant === 'token' ? runRagTokenNll : runRagSequenceNll;
    const out = run(device, gpuBufferOf(logits), scores, labelBuffer, { ...shape, dtype: logitsDtype(logits) }, options);
    try {
      // [loss | nllLoss | smoothLoss]: only the loss comes back.
      return await readFloat32(device, out, ragNllLength(shape.batch, options.reduceLoss));
    } finally {
      for (const b of [scores, labelBuffer, out]) b.destroy();
    }
  }

  async marginalize(logits: Tensor, docScores: Float32Array, shape: RagNllShape): Promise<Float32Array> {
    const scores = createStorageBuffer(this.device, docScores, 'rag.docScores');
    const out = runMarginalize(this.device, gpuBufferOf(logits), scores, { ...shape, dtype: logitsDtype(logits) });
    try {
      return await readFloat32(this.device, out, shape.batch * shape.seqLen * shape.vocab);
    } finally {
      scores.destroy();
      out.destroy();
    }
  }
}

function gpuBufferOf(tensor: Tensor): GPUBuffer {
  if (tensor.location !== 'gpu-buffer') throw new Error(`expected a gpu-buffer tensor, got one on ${tensor.location}`);
  return tensor.gpuBuffer as GPUBuffer;
}

import {
  beamSelectRef,
  KernelRunner,
  ragNllLength,
  readTopK,
  runBeamSelect,
  runGatherRows,
  runLogitsEdits,
  runLogSoftmax,
  runMarginalize,
  runRagSequenceNll,
  runRagTokenNll,
  runTopK,
  type BeamSelectShape,
  type RagNllShape,
  type RagSequenceNllOptions,
} from '@rag-web/core';
import type { Tensor } from 'onnxruntime-web';
import type { Ort } from '../ort/runtime.js';
import { logitsDtype } from '../ort/tensors.js';
import { rowsOf, type CandidateRequest, type RagMath, type StepCache, type StepCandidates, type StepLogits } from './rag-math.js';

/**
 * RagMath as WebGPU shaders on the device shared with onnxruntime-web: the decoder's logits
 * never leave the GPU. A decode step is one command buffer — marginalize or log-softmax, the
 * processors' edits, top-k, and in beam search the predicted beams and the reordered cache —
 * with one read-back of k ids and scores per batch item.
 */
export class GpuRagMath implements RagMath {
  readonly backend = 'webgpu';

  constructor(
    private readonly ort: Ort,
    private readonly device: GPUDevice,
  ) {}

  async selectCandidates(step: StepLogits, request: CandidateRequest): Promise<StepCandidates> {
    const { batch, beams, vocab, k, beamScores, edits, cache } = request;
    const rows = batch * beams;
    const run = new KernelRunner(this.device, 'rag.decodeStep');
    const logits = gpuBufferOf(step.logits);
    const outputs: GPUBuffer[] = [];
    let logprobs: GPUBuffer;
    if (step.kind === 'marginalize') {
      const docScores = run.input(step.docScores, 'rag.docScores');
      const marginal = runMarginalize(run, logits, docScores, { batch: rows, nDocs: step.nDocs, seqLen: 1, vocab, dtype: logitsDtype(step.logits) });
      // transformers' beam search applies log_softmax to the (already normalized) marginal.
      logprobs = runLogSoftmax(run, marginal, { rows, vocab });
      outputs.push(marginal);
    } else {
      logprobs = runLogSoftmax(run, logits, { rows, vocab, dtype: logitsDtype(step.logits) });
    }
    const scores = runLogitsEdits(run, logprobs, beamScores, edits, { rows, vocab });
    const top = runTopK(run, scores, { rows: batch, cols: beams * vocab, k });
    outputs.push(logprobs, scores, top.ids, top.values);
    const reorder = cache ? this.encodeReorder(run, top, { batch, beams, vocab, k }, cache) : undefined;
    const reading = readTopK(run, top, batch, k);
    try {
      run.submit();
      const result: StepCandidates = await reading;
      // The kernel's choice is a function of the k candidates read back anyway: recomputed here by
      // its reference (tested equal to the shader) rather than read back, the step's read-back
      // stays 8 bytes per candidate.
      if (reorder) result.reordered = { nextBeamIndices: beamSelectRef(result.ids, result.values, reorder.shape).nextBeamIndices, tensors: reorder.tensors };
      return result;
    } catch (err) {
      for (const t of reorder?.tensors ?? []) t.dispose();
      throw err;
    } finally {
      for (const b of [...outputs, ...(reorder ? [reorder.nextBeamIndices, reorder.cacheRows] : [])]) b.destroy();
    }
  }

  /** Predicts the scorer's kept beams from the top-k on the GPU and gathers the cache by them. */
  private encodeReorder(
    run: KernelRunner,
    top: { ids: GPUBuffer; values: GPUBuffer },
    shape: { batch: number; beams: number; vocab: number; k: number },
    cache: StepCache,
  ): { nextBeamIndices: GPUBuffer; cacheRows: GPUBuffer; tensors: Tensor[]; shape: BeamSelectShape } {
    const { batch, beams, vocab, k } = shape;
    const { nDocs, eosTokenIds, reachesMax } = cache;
    const selectShape: BeamSelectShape = { batch, k, numBeams: beams, vocab, nDocs, eosTokenIds, reachesMax };
    const selected = runBeamSelect(run, top.ids, top.values, selectShape);
    const cacheRows = { buffer: selected.cacheRows, length: batch * beams * nDocs };
    const tensors = cache.tensors.map((t) => this.wrap(runGatherRows(run, gpuBufferOf(t), cacheRows, { ...rowsOf(t), dtype: logitsDtype(t) }), t, cacheRows.length));
    return { ...selected, tensors, shape: selectShape };
  }

  async gatherRows(tensor: Tensor, indices: Uint32Array): Promise<Tensor> {
    const buffer = runGatherRows(this.device, gpuBufferOf(tensor), indices, { ...rowsOf(tensor), dtype: logitsDtype(tensor) });
    return this.wrap(buffer, tensor, indices.length);
  }

  async nll(variant: 'token' | 'sequence', logits: Tensor, docScores: Float32Array, labels: Int32Array, shape: RagNllShape, options: RagSequenceNllOptions): Promise<Float32Array> {
    const run = new KernelRunner(this.device, `rag.${variant}Nll`);
    const scores = run.input(docScores, 'rag.docScores');
    const labelBuffer = run.input(labels, 'rag.labels');
    const nll = variant === 'token' ? runRagTokenNll : runRagSequenceNll;
    const out = nll(run, gpuBufferOf(logits), scores, labelBuffer, { ...shape, dtype: logitsDtype(logits) }, options);
    // [loss | nllLoss | smoothLoss]: only the loss comes back.
    const loss = run.readFloat32(out, ragNllLength(shape.batch, options.reduceLoss));
    try {
      run.submit();
      return await loss;
    } finally {
      out.destroy();
    }
  }

  async marginalize(logits: Tensor, docScores: Float32Array, shape: RagNllShape): Promise<Float32Array> {
    const run = new KernelRunner(this.device, 'rag.marginalize');
    const out = runMarginalize(run, gpuBufferOf(logits), run.input(docScores, 'rag.docScores'), { ...shape, dtype: logitsDtype(logits) });
    const values = run.readFloat32(out, shape.batch * shape.seqLen * shape.vocab);
    try {
      run.submit();
      return await values;
    } finally {
      out.destroy();
    }
  }

  /** An ORT tensor over our gathered buffer, destroyed with the tensor. */
  private wrap(buffer: GPUBuffer, like: Tensor, rows: number): Tensor {
    return this.ort.Tensor.fromGpuBuffer(buffer, {
      dataType: like.type === 'float16' ? 'float16' : 'float32',
      dims: [rows, ...like.dims.slice(1)],
      dispose: () => buffer.destroy(),
    });
  }
}

function gpuBufferOf(tensor: Tensor): GPUBuffer {
  if (tensor.location !== 'gpu-buffer') throw new Error(`expected a gpu-buffer tensor, got one on ${tensor.location}`);
  return tensor.gpuBuffer as GPUBuffer;
}

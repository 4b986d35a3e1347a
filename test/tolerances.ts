import type { Tolerance } from './expect-close.js';

/**
 * Every numeric tolerance of the test suites, per backend, in one place.
 * kernelVsRef: a WGSL kernel against its TypeScript reference on the same f32 inputs (summation
 * order and exp/log implementations differ between SwiftShader and V8).
 */
export const tolerances = {
  webgpu: {
    kernelVsRef: { abs: 1e-5, rel: 1e-5 } satisfies Tolerance,
    /** Kernels that only select or move values (topK, gatherRows): the input bits come back. */
    selectExact: { abs: 0, rel: 0 } satisfies Tolerance,
    /** fp32 ONNX graphs on ORT's WebGPU EP (plus our kernels) against transformers. */
    pooled: { abs: 1e-4, rel: 0 } satisfies Tolerance,
    logits: { abs: 1e-4, rel: 0 } satisfies Tolerance,
    loss: { abs: 0, rel: 1e-4 } satisfies Tolerance,
  },
  /**
   * Our references and kernels against values computed by HF `transformers` (torch fp32 on CPU,
   * stored rounded to 6 decimals: logits carry ±5e-7 of rounding, hence the abs floor).
   */
  hf: {
    reference: { abs: 1e-5, rel: 1e-4 } satisfies Tolerance,
  },
  /** Retriever: exact inner products against the fixtures' doc_scores (pooled vectors stored to 6 decimals). */
  retriever: {
    hfDocScores: { abs: 0, rel: 1e-5 } satisfies Tolerance,
  },
  /** fp32 ONNX graphs on onnxruntime-web's WASM EP against transformers (the models issue: 1e-4 abs). */
  wasm: {
    pooled: { abs: 1e-4, rel: 0 } satisfies Tolerance,
    logits: { abs: 1e-4, rel: 0 } satisfies Tolerance,
    loss: { abs: 0, rel: 1e-4 } satisfies Tolerance,
  },
  /**
   * Quantized exports (tiny-a) against the fp32 transformers values, on either backend:
   * `pooled` abs on question_pooled, `lossRel` on token_loss, `sameGreedy` the least share of
   * questions whose greedy answer equals the fp32 one (measured on WASM: q8 6/8, fp16 8/8, q4 5/8).
   */
  quantized: {
    fp16: { pooled: 0.01, lossRel: 0.005, sameGreedy: 1 },
    q8: { pooled: 0.15, lossRel: 0.05, sameGreedy: 0.7 },
    q4: { pooled: 1.0, lossRel: 0.25, sameGreedy: 0.5 },
  },
} as const;

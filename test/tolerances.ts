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
} as const;

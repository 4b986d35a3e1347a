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
  },
} as const;

// The declarations name WebGPU's types (GPUDevice, GPUBuffer, …): `preserve` keeps this
// reference in the emitted index.d.ts, so a consumer's tsc finds them in our @webgpu/types dependency.
/// <reference types="@webgpu/types" preserve="true" />
export { RagError, RagConfigError, ShapeError, GpuDeviceError, reviveError } from './errors.js';
export { acquireGpuDevice, hasWebGpuApi, type AcquireGpuDeviceOptions, type GpuAdapterSummary } from './gpu/device.js';
export { createStorageBuffer, createOutputBuffer, GPU_LABEL_PREFIX, gpuLabel, readBuffer, readFloat32, readUint32 } from './gpu/buffers.js';
export { foldWorkgroups, getPipeline, kernelSource, type Kernel, type UniformWord, type WgslSnippet } from './gpu/program.js';
export { KernelRunner, type DispatchSize } from './gpu/kernel-runner.js';
export * from './kernels/index.js';
export * from './retrieval/index.js';
export * from './config/index.js';
export type { HostTensor, RetrievAugLMMarginOutput, RetrievAugLMOutput, TensorData } from './outputs.js';
export { float16BitsToFloat32, float16ToFloat32Array, float32ToFloat16Array, float32ToFloat16Bits } from './float16.js';

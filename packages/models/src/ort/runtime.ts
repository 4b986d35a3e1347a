import { acquireGpuDevice, GpuDeviceError, type GpuAdapterSummary } from '@rag-web/core';
import type * as OrtModule from 'onnxruntime-web';
import type { ResolvedDevice } from '../devices.js';
import { isNode } from '../hub/model-source.js';

export type Ort = typeof OrtModule;

export interface RuntimeOptions {
  /** Where the app serves onnxruntime-web's `ort-wasm-simd-threaded.*` files (browser). Default `/ort/`. */
  wasmPaths?: string;
  /** WASM threads; default: up to 4 when cross-origin isolated, else 1. */
  numThreads?: number;
}

/** The onnxruntime-web module and, on WebGPU, the one GPUDevice shared by ORT and our kernels. */
export interface OrtRuntime {
  ort: Ort;
  device: ResolvedDevice;
  gpuDevice?: GPUDevice;
  adapter?: GpuAdapterSummary;
}

let ortModule: Promise<Ort> | undefined;
let sharedGpu: Promise<{ device: GPUDevice; adapter: GpuAdapterSummary }> | undefined;

/**
 * Loads onnxruntime-web once: the WebGPU build in browsers (it has the WASM EP too), the Node
 * build (WASM EP) in Node. Runtime files come from the app, never a CDN.
 */
export function loadOrt(options: RuntimeOptions = {}): Promise<Ort> {
  ortModule ??= (async () => {
    const ort = (isNode() ? await import('onnxruntime-web') : await import('onnxruntime-web/webgpu')) as Ort;
    if (!isNode()) ort.env.wasm.wasmPaths = options.wasmPaths ?? '/ort/';
    const isolated = typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated;
    const cores = typeof navigator !== 'undefined' ? (navigator.hardwareConcurrency ?? 1) : 1;
    ort.env.wasm.numThreads = options.numThreads ?? (isolated && !isNode() ? Math.min(4, cores) : 1);
    ort.env.logLevel = 'error';
    return ort;
  })();
  return ortModule;
}

/**
 * The GPUDevice that ORT's WebGPU EP and our kernels share. It is created by us and handed to
 * ORT before its first WebGPU session, so GPU buffers can pass between them without copies.
 * Throws GpuDeviceError when WebGPU is unavailable.
 */
export async function sharedGpuDevice(ort: Ort): Promise<{ device: GPUDevice; adapter: GpuAdapterSummary }> {
  sharedGpu ??= acquireGpuDevice().then((gpu) => {
    ort.env.webgpu.device = gpu.device;
    // A later request after loss must build a new device, not return the dead one.
    void gpu.device.lost.then(() => {
      sharedGpu = undefined;
    });
    return gpu;
  });
  try {
    return await sharedGpu;
  } catch (err) {
    sharedGpu = undefined;
    throw err;
  }
}

/** Whether a WebGPU adapter can be had here (for `device: 'auto'`), without throwing. */
export async function webGpuAvailable(ort: Ort): Promise<boolean> {
  if (isNode()) return false;
  try {
    await sharedGpuDevice(ort);
    return true;
  } catch (err) {
    if (err instanceof GpuDeviceError) return false;
    throw err;
  }
}

/**
 * ORT-web allows one `run`/`create` at a time per wasm instance ("Session already started"):
 * every call goes through this chain.
 */
let chain: Promise<unknown> = Promise.resolve();
export function serialized<T>(task: () => Promise<T>): Promise<T> {
  const next = chain.then(task, task);
  chain = next.catch(() => undefined);
  return next;
}

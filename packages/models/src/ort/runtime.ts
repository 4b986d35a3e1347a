import { GpuDeviceError, hasWebGpuApi } from '@rag-web/core';
import type * as OrtModule from 'onnxruntime-web';
import { isNode } from '../hub/model-source.js';

export type Ort = typeof OrtModule;

export interface RuntimeOptions {
  /**
   * The ONNX runtime module to run the graphs with instead of onnxruntime-web, e.g.
   * onnxruntime-node in Node (with `device: 'cpu'`). It must be onnxruntime-common 1.30 compatible.
   */
  ort?: Ort;
  /** Where the app serves onnxruntime-web's `ort-wasm-simd-threaded.*` files (browser). Default `/ort/`. */
  wasmPaths?: string;
  /** WASM threads; default: up to 4 when cross-origin isolated, else 1. */
  numThreads?: number;
}

let ortModule: Promise<Ort> | undefined;

/**
 * Loads onnxruntime-web once: the WebGPU build in browsers (it has the WASM EP too), the Node
 * build (WASM EP) in Node. Runtime files come from the app, never a CDN.
 */
export function loadOrt(options: RuntimeOptions = {}): Promise<Ort> {
  if (options.ort) return Promise.resolve(options.ort);
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
 * The GPUDevice of ORT's WebGPU EP, which our kernels share so that ORT's output buffers bind
 * in our pipelines without copies. ORT 1.30 creates it with its first WebGPU session (a device
 * assigned beforehand is not the one its sessions use), so call this after creating one.
 */
export async function ortGpuDevice(ort: Ort): Promise<GPUDevice> {
  const device = await ort.env.webgpu.device;
  if (!device) throw new GpuDeviceError('onnxruntime-web has no WebGPU device (no WebGPU session was created)');
  return device;
}

/** Whether a WebGPU adapter can be had here (for `device: 'auto'`), without creating a device. */
export async function webGpuAvailable(): Promise<boolean> {
  if (isNode() || !hasWebGpuApi()) return false;
  return (await navigator.gpu.requestAdapter()) !== null;
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

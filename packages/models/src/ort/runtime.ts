import { GpuDeviceError, hasWebGpuApi } from '@rag-web/core';
import type * as OrtModule from 'onnxruntime-web';
import { isSoftwareAdapter, type ResolvedDevice } from '../devices.js';
import { isNode } from '../hub/model-source.js';
import { ensureNodeWebGpu } from './node-webgpu.js';
import { importNodeOrt } from '#ort-node';

export type Ort = typeof OrtModule;

export interface RuntimeOptions {
  /**
   * The ONNX runtime module to run the graphs with instead of onnxruntime-web, e.g.
   * onnxruntime-node in Node (with `device: 'cpu'`). It must be onnxruntime-common 1.30 compatible.
   */
  ort?: Ort;
  /**
   * URL of a folder (ending in `/`) where the app serves onnxruntime-web's
   * `ort-wasm-simd-threaded.asyncify.{mjs,wasm}` (browser). Default: none, and ORT's WebGPU build
   * loads its .wasm from next to its own module (`new URL(file, import.meta.url)`), where a Vite
   * build copies it; under `vite dev` add `ragWebVite()` from `@rag-web/models/vite`.
   */
  wasmPaths?: string;
  /** WASM threads; default: up to 4 when cross-origin isolated, else 1. */
  numThreads?: number;
}

/** An ONNX runtime as loading uses it. */
export interface LoadedOrt {
  ort: Ort;
  /** Sessions can be created from a local file's path (the Node builds read files themselves). */
  readsPaths: boolean;
}

const ortModules = new Map<'node' | 'webgpu', Promise<Ort>>();

/**
 * Loads onnxruntime-web once per build: the WebGPU build in browsers (it has the WASM EP too), in
 * Node the Node build (WASM EP, reads files) — or, for `device: 'webgpu'`, the WebGPU build on the
 * `navigator.gpu` node-webgpu.ts sets up. Runtime files come from the app (by default the copy
 * its bundler made of the installed package's), never a CDN.
 */
export async function loadOrt(options: RuntimeOptions = {}, device?: ResolvedDevice): Promise<LoadedOrt> {
  if (options.ort) return { ort: options.ort, readsPaths: isNode() };
  const build = isNode() && device !== 'webgpu' ? 'node' : 'webgpu';
  if (isNode() && build === 'webgpu') await ensureNodeWebGpu();
  let ort = ortModules.get(build);
  if (!ort) {
    ort = (async () => {
      const module = build === 'node' ? await importNodeOrt() : ((await import('onnxruntime-web/webgpu')) as Ort);
      if (options.wasmPaths !== undefined) module.env.wasm.wasmPaths = options.wasmPaths;
      const isolated = typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated;
      const cores = typeof navigator !== 'undefined' ? (navigator.hardwareConcurrency ?? 1) : 1;
      module.env.wasm.numThreads = options.numThreads ?? (isolated && !isNode() ? Math.min(4, cores) : 1);
      module.env.logLevel = 'error';
      return module;
    })();
    ortModules.set(build, ort);
  }
  return { ort: await ort, readsPaths: build === 'node' };
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

/**
 * Whether a hardware WebGPU adapter can be had here (for `device: 'auto'`), without creating a
 * device. A software adapter (SwiftShader) does not count: WASM is much faster than it.
 */
export async function webGpuAvailable(): Promise<boolean> {
  // In Node only a navigator.gpu the app set up counts: `auto` does not reach for Dawn by itself.
  if (!hasWebGpuApi()) return false;
  const adapter = await navigator.gpu.requestAdapter();
  return adapter !== null && !isSoftwareAdapter(adapter);
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

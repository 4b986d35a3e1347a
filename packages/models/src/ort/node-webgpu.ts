import { GpuDeviceError, hasWebGpuApi } from '@rag-web/core';

/**
 * The optional package that gives Node a WebGPU implementation (Dawn's Node binding). Named through
 * a variable so that browser bundlers never try to resolve it.
 */
const DAWN_PACKAGE = 'webgpu';

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

const SAB_SAFE = Symbol.for('rag-web.writeBufferCopiesSharedMemory');

/**
 * `device: 'webgpu'` in Node: onnxruntime-web's WebGPU EP and this project's kernels both read
 * `navigator.gpu`, which Node lacks. An app that has set one up (with the WebGPU globals:
 * `GPUBufferUsage`, …) keeps it; otherwise the optional `webgpu` package (Dawn) provides both.
 * Throws GpuDeviceError when neither is there or no adapter is found, instead of running on WASM
 * without a word.
 */
export async function ensureNodeWebGpu(): Promise<void> {
  if (!hasWebGpuApi()) {
    let dawn: DawnModule;
    try {
      dawn = (await import(/* @vite-ignore */ DAWN_PACKAGE)) as DawnModule;
    } catch (err) {
      throw new GpuDeviceError(
        `device 'webgpu' in Node needs a WebGPU implementation: install the optional package \`${DAWN_PACKAGE}\` (Dawn for Node), ` +
          `or set globalThis.navigator.gpu before loading; or use device 'wasm' / 'cpu'`,
        { cause: err },
      );
    }
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    if (typeof navigator === 'undefined') Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    else Object.defineProperty(navigator, 'gpu', { value: gpu, configurable: true });
  }
  copySharedMemoryWrites();
  // Asked for by name, WebGPU without an adapter is an error, not a quiet run on WASM.
  if (!(await navigator.gpu.requestAdapter())) throw new GpuDeviceError("device 'webgpu': navigator.gpu.requestAdapter() found no adapter here (no GPU driver?); use device 'wasm' or 'cpu'");
}

/**
 * Dawn's Node binding rejects `queue.writeBuffer` from a view of a SharedArrayBuffer
 * ("Invalid argument"), and onnxruntime-web uploads straight from its WASM memory, which is
 * shared. Such writes go through a copy; every other write is untouched.
 */
function copySharedMemoryWrites(): void {
  const queue = (globalThis as { GPUQueue?: { prototype: GPUQueue & { [SAB_SAFE]?: true } } }).GPUQueue?.prototype;
  if (!queue || queue[SAB_SAFE]) return;
  const writeBuffer = queue.writeBuffer as (this: GPUQueue, ...args: unknown[]) => undefined;
  queue.writeBuffer = function (this: GPUQueue, buffer: GPUBuffer, offset: GPUSize64, data: GPUAllowSharedBufferSource, dataOffset?: GPUSize64, size?: GPUSize64) {
    if (!ArrayBuffer.isView(data) || !(data.buffer instanceof SharedArrayBuffer)) return writeBuffer.call(this, buffer, offset, data, dataOffset, size);
    // Offset and size count elements of a typed array, bytes of a DataView.
    const element = 'BYTES_PER_ELEMENT' in data ? (data as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT : 1;
    const start = (dataOffset ?? 0) * element;
    const length = size === undefined ? data.byteLength - start : size * element;
    return writeBuffer.call(this, buffer, offset, new Uint8Array(data.buffer, data.byteOffset + start, length).slice());
  } as GPUQueue['writeBuffer'];
  queue[SAB_SAFE] = true;
}

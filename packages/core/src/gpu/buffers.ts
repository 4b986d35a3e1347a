import { KernelRunner } from './kernel-runner.js';

/**
 * Every GPU object this project creates is labelled `rag:…`, so that tests (and a reader of a
 * WebGPU capture) can tell ours from onnxruntime-web's on the shared device.
 */
export const GPU_LABEL_PREFIX = 'rag:';

export function gpuLabel(label: string): string {
  return label.startsWith(GPU_LABEL_PREFIX) ? label : GPU_LABEL_PREFIX + label;
}

/** Creates a storage buffer holding `data`, usable as a kernel input (and copy source). */
export function createStorageBuffer(device: GPUDevice, data: Float32Array | Uint32Array | Int32Array, label: string): GPUBuffer {
  const buffer = device.createBuffer({
    label: gpuLabel(label),
    size: Math.max(4, align4(data.byteLength)),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    mappedAtCreation: true,
  });
  const Ctor = data.constructor as Float32ArrayConstructor | Uint32ArrayConstructor | Int32ArrayConstructor;
  new Ctor(buffer.getMappedRange(0, data.byteLength)).set(data as never);
  buffer.unmap();
  return buffer;
}

/** An uninitialised storage buffer of `byteLength` bytes for a kernel's output. */
export function createOutputBuffer(device: GPUDevice, byteLength: number, label: string): GPUBuffer {
  return device.createBuffer({
    label: gpuLabel(label),
    size: Math.max(4, align4(byteLength)),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
}

/** Copies `byteLength` bytes of a GPU buffer back to the CPU in a submit of its own. */
export function readBuffer(device: GPUDevice, source: GPUBuffer, byteLength: number, byteOffset = 0): Promise<ArrayBuffer> {
  return KernelRunner.on(device, 'readback', (runner) => runner.read(source, byteLength, byteOffset));
}

export async function readFloat32(device: GPUDevice, source: GPUBuffer, length: number, offset = 0): Promise<Float32Array> {
  return new Float32Array(await readBuffer(device, source, length * 4, offset * 4));
}

export async function readUint32(device: GPUDevice, source: GPUBuffer, length: number, offset = 0): Promise<Uint32Array> {
  return new Uint32Array(await readBuffer(device, source, length * 4, offset * 4));
}

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

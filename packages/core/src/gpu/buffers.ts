/** Creates a storage buffer holding `data`, usable as a kernel input (and copy source). */
export function createStorageBuffer(device: GPUDevice, data: Float32Array | Uint32Array | Int32Array, label: string): GPUBuffer {
  const buffer = device.createBuffer({
    label,
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
    label,
    size: Math.max(4, align4(byteLength)),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
}

/** Copies `byteLength` bytes of a GPU buffer back to the CPU (the only read-back path). */
export async function readBuffer(device: GPUDevice, source: GPUBuffer, byteLength: number, byteOffset = 0): Promise<ArrayBuffer> {
  const size = align4(byteLength);
  const staging = device.createBuffer({ label: 'readback', size, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  const encoder = device.createCommandEncoder({ label: 'readback' });
  encoder.copyBufferToBuffer(source, byteOffset, staging, 0, size);
  device.queue.submit([encoder.finish()]);
  try {
    await staging.mapAsync(GPUMapMode.READ);
    return staging.getMappedRange(0, byteLength).slice(0);
  } finally {
    staging.destroy();
  }
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

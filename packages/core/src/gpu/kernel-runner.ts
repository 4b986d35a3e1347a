import { createOutputBuffer, createStorageBuffer, gpuLabel } from './buffers.js';
import { foldWorkgroups, getPipeline, uniformBytes, type Kernel, type UniformWord } from './program.js';

/** How many workgroups a dispatch runs: one per `workgroups`, or enough for `invocations` threads. */
export type DispatchSize = { workgroups: number } | { invocations: number };

interface PendingRead {
  staging: GPUBuffer;
  byteLength: number;
  resolve: (data: ArrayBuffer) => void;
  reject: (err: unknown) => void;
}

/**
 * Encodes kernels into one command buffer and owns what they leave behind: uniform buffers,
 * uploaded inputs and intermediates are destroyed after the submit; outputs belong to the
 * caller; read-backs are copies into staging buffers mapped after the submit. A decode step
 * encodes all its kernels and its read-back here and submits once.
 *
 * With a caller's encoder the runner only encodes; the caller submits and then calls `release`.
 */
export class KernelRunner {
  private readonly encoder: GPUCommandEncoder;
  private readonly ownsEncoder: boolean;
  private temporaries: GPUBuffer[] = [];
  private reads: PendingRead[] = [];
  private closed = false;

  constructor(
    readonly device: GPUDevice,
    readonly label: string,
    encoder?: GPUCommandEncoder,
  ) {
    this.ownsEncoder = encoder === undefined;
    this.encoder = encoder ?? device.createCommandEncoder({ label: gpuLabel(label) });
  }

  /** Runs `body` on `target`'s runner, or on a new one that submits when `body` returns. */
  static on<T>(target: GPUDevice | KernelRunner, label: string, body: (runner: KernelRunner) => T): T {
    if (target instanceof KernelRunner) return body(target);
    const runner = new KernelRunner(target, label);
    try {
      return body(runner);
    } finally {
      runner.submit();
    }
  }

  /** A uniform buffer of `words`, destroyed after the submit. */
  uniform(words: readonly UniformWord[], label: string): GPUBuffer {
    const data = uniformBytes(words, label);
    const buffer = this.device.createBuffer({ label: gpuLabel(label), size: data.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(buffer, 0, data);
    return this.temporary(buffer);
  }

  /** A storage buffer holding `data`, destroyed after the submit. */
  input(data: Float32Array | Uint32Array | Int32Array, label: string): GPUBuffer {
    return this.temporary(createStorageBuffer(this.device, data, label));
  }

  /** An intermediate storage buffer, destroyed after the submit. */
  scratch(byteLength: number, label: string): GPUBuffer {
    return this.temporary(createOutputBuffer(this.device, byteLength, label));
  }

  /** An output storage buffer: the caller's to destroy. */
  output(byteLength: number, label: string): GPUBuffer {
    return createOutputBuffer(this.device, byteLength, label);
  }

  /** Encodes one dispatch of `kernel` with `buffers` bound in order from binding 0. */
  dispatch(kernel: Kernel, buffers: readonly GPUBuffer[], size: DispatchSize): void {
    this.checkOpen();
    const pipeline = getPipeline(this.device, kernel);
    const bindGroup = this.device.createBindGroup({
      label: gpuLabel(kernel.name),
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const count = 'workgroups' in size ? size.workgroups : Math.ceil(size.invocations / kernel.workgroupSize);
    const pass = this.encoder.beginComputePass({ label: gpuLabel(kernel.name) });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    const [x, y] = foldWorkgroups(this.device, count);
    pass.dispatchWorkgroups(x, y);
    pass.end();
  }

  /** Encodes a copy between buffers (bytes, 4-aligned). */
  copy(source: GPUBuffer, sourceOffset: number, destination: GPUBuffer, destinationOffset: number, byteLength: number): void {
    this.checkOpen();
    this.encoder.copyBufferToBuffer(source, sourceOffset, destination, destinationOffset, byteLength);
  }

  /** Reads `byteLength` bytes of `source` back after the submit (its content at that point of the encoding). */
  read(source: GPUBuffer, byteLength: number, byteOffset = 0): Promise<ArrayBuffer> {
    this.checkOpen();
    const size = Math.max(4, Math.ceil(byteLength / 4) * 4);
    const staging = this.temporary(
      this.device.createBuffer({ label: gpuLabel(`${this.label}.readback`), size, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ }),
    );
    this.encoder.copyBufferToBuffer(source, byteOffset, staging, 0, size);
    return new Promise((resolve, reject) => this.reads.push({ staging, byteLength, resolve, reject }));
  }

  async readFloat32(source: GPUBuffer, length: number, offset = 0): Promise<Float32Array> {
    return new Float32Array(await this.read(source, length * 4, offset * 4));
  }

  async readUint32(source: GPUBuffer, length: number, offset = 0): Promise<Uint32Array> {
    return new Uint32Array(await this.read(source, length * 4, offset * 4));
  }

  /** Submits everything encoded as one command buffer, then maps the read-backs and frees the temporaries. */
  submit(): void {
    if (!this.ownsEncoder) throw new Error(`${this.label}: the caller owns this encoder; submit it and call release()`);
    this.checkOpen();
    this.closed = true;
    this.device.queue.submit([this.encoder.finish({ label: gpuLabel(this.label) })]);
    this.settle();
  }

  /** After the caller submitted its encoder: maps the read-backs and frees the temporaries. */
  release(): void {
    this.closed = true;
    this.settle();
  }

  private settle(): void {
    const reads = this.reads;
    const mapping = reads.map(async (r) => {
      try {
        await r.staging.mapAsync(GPUMapMode.READ);
        r.resolve(r.staging.getMappedRange(0, r.byteLength).slice(0));
      } catch (err) {
        r.reject(err);
      }
    });
    const temporaries = this.temporaries;
    this.reads = [];
    this.temporaries = [];
    // Submitted work keeps its buffers alive; staging buffers must stay until they are mapped.
    void Promise.all(mapping).finally(() => {
      for (const b of temporaries) b.destroy();
    });
  }

  private temporary(buffer: GPUBuffer): GPUBuffer {
    this.temporaries.push(buffer);
    return buffer;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`${this.label}: this kernel runner was already submitted`);
  }
}

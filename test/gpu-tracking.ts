import { GPU_LABEL_PREFIX } from '../packages/core/src/gpu/buffers.js';

/**
 * Test wrapper of a GPUDevice (patched in place, so onnxruntime-web's own calls go through it
 * too): counts queue submits (all, and those of our command buffers, labelled `rag:…`), bytes
 * read back from any buffer created since, and keeps the set of our GPU buffers created and not yet destroyed. `restore()` puts the device back.
 */
export interface GpuTracker {
  /** Submits whose command buffers are ours. */
  readonly submits: number;
  /** Every submit to the device's queue, ours and onnxruntime-web's. */
  readonly allSubmits: number;
  /** Bytes mapped for reading from any buffer created since tracking began (ours and onnxruntime-web's). */
  readonly readBackBytes: number;
  /** Labels of our buffers created since tracking began and still alive. */
  aliveLabels(): string[];
  restore(): void;
}

export function trackGpu(device: GPUDevice): GpuTracker {
  const queue = device.queue;
  const submit = queue.submit.bind(queue);
  const createBuffer = device.createBuffer.bind(device);
  const alive = new Map<GPUBuffer, string>();
  let submits = 0;
  let allSubmits = 0;
  let readBackBytes = 0;
  queue.submit = (buffers: Iterable<GPUCommandBuffer>) => {
    const list = [...buffers];
    allSubmits++;
    if (list.some((b) => b.label.startsWith(GPU_LABEL_PREFIX))) submits++;
    submit(list);
  };
  device.createBuffer = (descriptor: GPUBufferDescriptor) => {
    const buffer = createBuffer(descriptor);
    if (descriptor.usage & GPUBufferUsage.MAP_READ) {
      const mapAsync = buffer.mapAsync.bind(buffer);
      buffer.mapAsync = (mode: GPUMapModeFlags, offset?: number, size?: number) => {
        if (mode & GPUMapMode.READ) readBackBytes += size ?? buffer.size - (offset ?? 0);
        return mapAsync(mode, offset, size);
      };
    }
    const label = descriptor.label ?? '';
    if (label.startsWith(GPU_LABEL_PREFIX)) {
      alive.set(buffer, label);
      const destroy = buffer.destroy.bind(buffer);
      buffer.destroy = () => {
        alive.delete(buffer);
        destroy();
      };
    }
    return buffer;
  };
  return {
    get submits() {
      return submits;
    },
    get allSubmits() {
      return allSubmits;
    },
    get readBackBytes() {
      return readBackBytes;
    },
    aliveLabels: () => [...alive.values()].sort(),
    restore: () => {
      queue.submit = submit;
      device.createBuffer = createBuffer;
    },
  };
}

/** Lets the runner's post-submit clean-up (after its read-backs are mapped) finish. */
export async function settled(device: GPUDevice): Promise<void> {
  await device.queue.onSubmittedWorkDone();
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Shared mechanics of every kernel: pipeline caching, uniform upload and dispatch.
 *
 * Binding layout contract (identical in every kernel's WGSL):
 *   @group(0) @binding(0)        uniform params (shapes and scalars, all u32/f32 words)
 *   @group(0) @binding(1..k)     read-only storage inputs, in the order the kernel documents
 *   @group(0) @binding(k+1..)    read-write storage outputs
 * Pipelines are cached per device by init-time facts only (kernel name + variant such as the
 * workgroup size or dtype); shapes always travel as uniforms, so a new sequence length never
 * compiles a new shader.
 */

const pipelineCache = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

export interface ProgramSpec {
  /** Kernel name, used for labels and as the cache key prefix. */
  name: string;
  /** Init-time variant facts that change the generated code (e.g. `wg=256`). */
  variant?: string;
  /** The kernel's WGSL source. */
  code: string;
  /** Shared WGSL (kernels/wgsl/*.wgsl) that `code` calls; WGSL has no includes, so they are prepended. */
  snippets?: string[];
  entryPoint?: string;
}

export function getPipeline(device: GPUDevice, spec: ProgramSpec): GPUComputePipeline {
  let cache = pipelineCache.get(device);
  if (!cache) {
    cache = new Map();
    pipelineCache.set(device, cache);
  }
  const key = `${spec.name}|${spec.variant ?? ''}|${spec.entryPoint ?? 'main'}`;
  let pipeline = cache.get(key);
  if (!pipeline) {
    const module = device.createShaderModule({ label: spec.name, code: [...(spec.snippets ?? []), spec.code].join('\n') });
    pipeline = device.createComputePipeline({
      label: spec.name,
      layout: 'auto',
      compute: { module, entryPoint: spec.entryPoint ?? 'main' },
    });
    cache.set(key, pipeline);
  }
  return pipeline;
}

/** Uniform words: u32 values as numbers, f32 values wrapped as `{ f32: x }`. */
export type UniformWord = number | { f32: number };

export function createUniformBuffer(device: GPUDevice, words: UniformWord[], label: string): GPUBuffer {
  // WGSL uniform structs are 16-byte aligned.
  const padded = Math.max(4, Math.ceil(words.length / 4) * 4);
  const data = new ArrayBuffer(padded * 4);
  const u32 = new Uint32Array(data);
  const f32 = new Float32Array(data);
  words.forEach((w, i) => {
    if (typeof w === 'number') {
      if (!Number.isInteger(w) || w < 0 || w > 0xffffffff) throw new RangeError(`${label}: uniform word ${i} = ${w} is not a u32`);
      u32[i] = w;
    } else {
      f32[i] = w.f32;
    }
  });
  const buffer = device.createBuffer({ label, size: data.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

/**
 * Splits a 1-D workgroup count into (x, y) so that neither exceeds the device limit.
 * Kernels recover the linear id as `wid.y * numWorkgroups.x + wid.x` and bound-check it.
 */
export function foldWorkgroups(device: GPUDevice, count: number): [number, number] {
  const max = device.limits.maxComputeWorkgroupsPerDimension;
  if (count <= max) return [Math.max(1, count), 1];
  const y = Math.ceil(count / max);
  return [Math.ceil(count / y), y];
}

export interface DispatchSpec {
  pipeline: GPUComputePipeline;
  label: string;
  /** Buffers in binding order, starting at binding 0 (the uniform buffer). */
  buffers: GPUBuffer[];
  workgroups: number;
  /** Encode into this encoder instead of submitting a new command buffer. */
  encoder?: GPUCommandEncoder;
}

export function dispatch(device: GPUDevice, spec: DispatchSpec): void {
  const bindGroup = device.createBindGroup({
    label: spec.label,
    layout: spec.pipeline.getBindGroupLayout(0),
    entries: spec.buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const encoder = spec.encoder ?? device.createCommandEncoder({ label: spec.label });
  const pass = encoder.beginComputePass({ label: spec.label });
  pass.setPipeline(spec.pipeline);
  pass.setBindGroup(0, bindGroup);
  const [x, y] = foldWorkgroups(device, spec.workgroups);
  pass.dispatchWorkgroups(x, y);
  pass.end();
  if (!spec.encoder) device.queue.submit([encoder.finish()]);
}

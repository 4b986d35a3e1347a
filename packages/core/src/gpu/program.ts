/**
 * What a kernel is, as data: its WGSL, the shared snippets it includes and the compile-time
 * constants (the workgroup size among them) that TypeScript owns and injects.
 *
 * Binding layout contract (identical in every kernel's WGSL):
 *   @group(0) @binding(0)        uniform params (shapes and scalars, all u32/f32 words)
 *   @group(0) @binding(1..k)     read-only storage inputs, in the order the kernel documents
 *   @group(0) @binding(k+1..)    read-write storage outputs
 * Pipelines are cached per device by init-time facts only (name, variant, constants); shapes
 * always travel as uniforms, so a new sequence length never compiles a new shader.
 */
import invocationCode from '../kernels/wgsl/invocation.wgsl?raw';

/** Shared WGSL that a kernel includes (WGSL has no includes: it is prepended). */
export interface WgslSnippet {
  name: string;
  code: string;
  /** Names the including kernel or another included snippet must declare (checked at compile). */
  requires: readonly string[];
}

export interface Kernel {
  /** Kernel name, used for labels and as the cache key prefix. */
  name: string;
  /** The kernel's WGSL source. It uses `WG` (and any `constants`) without declaring them. */
  code: string;
  /** Threads per workgroup: injected as `const WG`, and what dispatch counts workgroups with. */
  workgroupSize: number;
  /** More u32 compile-time constants, injected as `const NAME: u32`. */
  constants?: Readonly<Record<string, number>>;
  snippets?: readonly WgslSnippet[];
  /** Facts that change the included code (e.g. the logits dtype), for the cache key. */
  variant?: string;
  entryPoint?: string;
}

/** Every kernel includes this: `Invocation` and the linear indices of a folded 2-D dispatch. */
export const invocationSnippet: WgslSnippet = { name: 'invocation', code: invocationCode, requires: ['WG'] };

const pipelineCache = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

export function getPipeline(device: GPUDevice, kernel: Kernel): GPUComputePipeline {
  let cache = pipelineCache.get(device);
  if (!cache) {
    cache = new Map();
    pipelineCache.set(device, cache);
  }
  const constants = { WG: kernel.workgroupSize, ...kernel.constants };
  const key = `${kernel.name}|${kernel.variant ?? ''}|${kernel.entryPoint ?? 'main'}|${JSON.stringify(constants)}`;
  let pipeline = cache.get(key);
  if (!pipeline) {
    const code = kernelSource(kernel);
    const module = device.createShaderModule({ label: kernel.name, code });
    pipeline = device.createComputePipeline({
      label: kernel.name,
      layout: 'auto',
      compute: { module, entryPoint: kernel.entryPoint ?? 'main' },
    });
    cache.set(key, pipeline);
  }
  return pipeline;
}

/** The whole WGSL module of a kernel: constants, snippets, code; snippet requirements checked. */
export function kernelSource(kernel: Kernel): string {
  const constants = { WG: kernel.workgroupSize, ...kernel.constants };
  const declarations = Object.entries(constants).map(([name, value]) => {
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${kernel.name}: constant ${name} = ${value} is not a positive integer`);
    return `const ${name}: u32 = ${value}u;`;
  });
  const snippets = [invocationSnippet, ...(kernel.snippets ?? [])];
  const source = [...declarations, ...snippets.map((s) => s.code), kernel.code].join('\n');
  const code = source.replace(/\/\/.*$/gm, '');
  for (const snippet of snippets) {
    const missing = snippet.requires.filter((name) => !declares(code, name));
    if (missing.length > 0) throw new RangeError(`${kernel.name}: snippet ${snippet.name} needs ${missing.join(', ')}, which the kernel does not declare`);
  }
  return source;
}

function declares(source: string, name: string): boolean {
  return new RegExp(`\\b(fn|const|override|struct|alias|var(<[^>]*>)?)\\s+${name}\\b`).test(source);
}

/** Uniform words: u32 values as numbers, f32 values wrapped as `{ f32: x }`. */
export type UniformWord = number | { f32: number };

/** The bytes of a uniform struct of `words`, padded to WGSL's 16-byte alignment. */
export function uniformBytes(words: readonly UniformWord[], label: string): ArrayBuffer {
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
  return data;
}

/**
 * Splits a 1-D workgroup count into (x, y) so that neither exceeds the device limit. Kernels
 * recover the linear id with `workgroupIndex` / `invocationIndex` (wgsl/invocation.wgsl) and
 * bound-check it.
 */
export function foldWorkgroups(device: GPUDevice, count: number): [number, number] {
  const max = device.limits.maxComputeWorkgroupsPerDimension;
  if (count <= max) return [Math.max(1, count), 1];
  const y = Math.ceil(count / max);
  return [Math.ceil(count / y), y];
}

import { GpuDeviceError } from '../errors.js';

export interface AcquireGpuDeviceOptions {
  powerPreference?: GPUPowerPreference;
}

export interface GpuAdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  features: string[];
}

/** True when this environment exposes `navigator.gpu` at all (not that an adapter exists). */
export function hasWebGpuApi(): boolean {
  return typeof navigator !== 'undefined' && 'gpu' in navigator && navigator.gpu !== undefined;
}

/**
 * Requests an adapter and a device with the adapter's own limits for storage buffers, so that
 * vocabulary-sized logits (B·n × V floats) fit in one binding.
 * Throws GpuDeviceError when WebGPU is absent or yields no adapter.
 */
export async function acquireGpuDevice(
  options: AcquireGpuDeviceOptions = {},
): Promise<{ device: GPUDevice; adapter: GpuAdapterSummary }> {
  if (!hasWebGpuApi()) {
    throw new GpuDeviceError('WebGPU is not available in this environment (navigator.gpu is undefined).');
  }
  const adapter = await navigator.gpu.requestAdapter(
    options.powerPreference ? { powerPreference: options.powerPreference } : undefined,
  );
  if (!adapter) {
    throw new GpuDeviceError('navigator.gpu.requestAdapter() returned no adapter; WebGPU cannot be used here.');
  }
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxComputeWorkgroupsPerDimension: adapter.limits.maxComputeWorkgroupsPerDimension,
    },
  });
  const info = adapter.info;
  return {
    device,
    adapter: {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      features: [...adapter.features].sort(),
    },
  };
}

/**
 * Execution devices a model can be asked for, as transformers.js names them. `cpu` is the CPU
 * execution provider of whichever ONNX runtime runs the model: onnxruntime-web maps it to WASM,
 * onnxruntime-node (passed as `ort`) runs it natively.
 */
export const DEVICE_TYPES = Object.freeze(['auto', 'webgpu', 'wasm', 'cpu'] as const);
export type DeviceType = (typeof DEVICE_TYPES)[number];
export type ResolvedDevice = Exclude<DeviceType, 'auto'>;

export function isDeviceType(value: unknown): value is DeviceType {
  return typeof value === 'string' && (DEVICE_TYPES as readonly string[]).includes(value);
}

/**
 * `auto` means WebGPU when an adapter exists, WASM otherwise; an explicit choice is kept.
 * Throws a TypeError listing the valid values for anything else.
 */
export function resolveDevice(requested: unknown, webgpuAvailable: boolean): ResolvedDevice {
  if (!isDeviceType(requested)) {
    throw new TypeError(`Unknown device ${JSON.stringify(requested)}; expected one of ${DEVICE_TYPES.join(', ')}`);
  }
  if (requested === 'auto') return webgpuAvailable ? 'webgpu' : 'wasm';
  return requested;
}

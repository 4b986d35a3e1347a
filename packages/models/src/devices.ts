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

/** What `auto` reads of a WebGPU adapter: a `GPUAdapter`, or anything shaped like one. */
export interface AdapterDescription {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  /** Where the WebGPU spec first put it (now `info.isFallbackAdapter`); older browsers still have it here. */
  isFallbackAdapter?: boolean;
}

/**
 * Whether a WebGPU adapter runs on the CPU in software: a fallback adapter, or SwiftShader however
 * it is reported (Dawn names it in `architecture` or `description`). On SwiftShader, the models run
 * ~25× slower than on WASM, so `auto` does not take it.
 */
export function isSoftwareAdapter(adapter: AdapterDescription): boolean {
  const info = adapter.info ?? {};
  if (info.isFallbackAdapter === true || adapter.isFallbackAdapter === true) return true;
  return [info.vendor, info.architecture, info.device, info.description].some((field) => field?.toLowerCase().includes('swiftshader'));
}

/**
 * `auto` means WebGPU when a hardware adapter exists (`hardwareWebGpu`; a software one does not
 * count), WASM otherwise; an explicit choice is kept. Throws a TypeError listing the valid values
 * for anything else.
 */
export function resolveDevice(requested: unknown, hardwareWebGpu: boolean): ResolvedDevice {
  if (!isDeviceType(requested)) {
    throw new TypeError(`Unknown device ${JSON.stringify(requested)}; expected one of ${DEVICE_TYPES.join(', ')}`);
  }
  if (requested === 'auto') return hardwareWebGpu ? 'webgpu' : 'wasm';
  return requested;
}

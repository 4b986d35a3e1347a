/**
 * Typed errors of the core package. Every error carries a stable `name` so that it can
 * cross a worker boundary as `{ name, message, details }` and be rebuilt on the other side;
 * each class spells its name out, because minifiers rename classes.
 */
export class RagError extends Error {
  override readonly name: string = 'RagError';
  readonly details: Record<string, unknown>;

  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.details = details;
  }
}

/** A config.json or option value is missing, of the wrong type, or out of range. */
export class RagConfigError extends RagError {
  override readonly name: string = 'RagConfigError';
}

/** Tensor shapes or buffer sizes given to a kernel or model do not agree. */
export class ShapeError extends RagError {
  override readonly name: string = 'ShapeError';
}

/** No WebGPU adapter/device could be had, or the device was lost. */
export class GpuDeviceError extends RagError {
  override readonly name: string = 'GpuDeviceError';
}

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

/**
 * A typed error again from what crossed a boundary (a worker message, an HTTP reply): an instance
 * of `cls` made without running its constructor (the typed errors' constructors take different
 * arguments, some building their message from fields), with the sent message, name and
 * `details`, and each detail also as a field, as those constructors set them.
 */
export function reviveError(cls: abstract new (...args: never[]) => Error, name: string, message: string, details: Record<string, unknown>): RagError {
  const err = Reflect.construct(Error, [message], cls) as RagError;
  for (const [key, value] of Object.entries(details)) {
    if (!(key in err)) Object.defineProperty(err, key, { value, enumerable: true });
  }
  Object.defineProperty(err, 'details', { value: details, enumerable: true });
  Object.defineProperty(err, 'name', { value: name, writable: true, configurable: true });
  return err;
}

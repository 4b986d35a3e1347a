import { expect, it } from 'vitest';
import { GpuDeviceError } from '../errors.js';
import { acquireGpuDevice } from './device.js';

// Runs in Chromium launched with --disable-webgpu: the error that makes callers fall back to
// WASM must be the typed one, and must come promptly rather than hang.
it('acquireGpuDevice rejects with GpuDeviceError when the browser offers no adapter', async () => {
  await expect(acquireGpuDevice()).rejects.toThrow(GpuDeviceError);
});

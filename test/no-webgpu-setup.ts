// Setup of the WASM-fallback browser project: it must really run without a WebGPU adapter,
// otherwise the fallback path would go untested.
import { beforeAll } from 'vitest';

beforeAll(async () => {
  const adapter = navigator.gpu ? await navigator.gpu.requestAdapter() : null;
  if (adapter) throw new Error('the no-WebGPU project found a WebGPU adapter; launch Chromium with --disable-webgpu');
});

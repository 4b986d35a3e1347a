import { expect, it } from 'vitest';
import { isSoftwareAdapter } from './devices.js';
import { loadRagComponents } from './pretrained.js';
import { webGpuAvailable } from './ort/runtime.js';

// Chromium's WebGPU here is SwiftShader (test/chromium.ts), a software adapter: `auto` must not take
// it (WASM is ~25× faster on it), while asking for `webgpu` by name still runs on it.
const MODEL = '/fixtures/tiny-a/model';

it('SwiftShader reports itself as a fallback adapter', async () => {
  const adapter = (await navigator.gpu.requestAdapter())!;
  expect(adapter.info).toMatchObject({ vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true });
  expect(isSoftwareAdapter(adapter)).toBe(true);
  expect(await webGpuAvailable()).toBe(false);
});

it("device 'auto' loads on WASM, 'webgpu' on SwiftShader", async () => {
  const auto = await loadRagComponents(MODEL, { device: 'auto', cache: null });
  const webgpu = await loadRagComponents(MODEL, { device: 'webgpu', cache: null });
  try {
    expect(auto.device).toBe('wasm');
    expect(auto.gpuDevice).toBeUndefined();
    expect(webgpu.device).toBe('webgpu');
    expect(webgpu.gpuDevice).toBeDefined();
  } finally {
    await Promise.all([auto, webgpu].map(({ questionEncoder, generator }) => Promise.all([questionEncoder.release(), generator.release()])));
  }
});

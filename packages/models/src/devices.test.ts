import { afterEach, describe, expect, it, vi } from 'vitest';
import { isSoftwareAdapter, resolveDevice, type AdapterDescription } from './devices.js';
import { webGpuAvailable } from './ort/runtime.js';

describe('resolveDevice', () => {
  it('maps auto to webgpu only when a hardware adapter exists', () => {
    expect(resolveDevice('auto', true)).toBe('webgpu');
    expect(resolveDevice('auto', false)).toBe('wasm');
    expect(resolveDevice('wasm', true)).toBe('wasm');
    expect(resolveDevice('webgpu', false)).toBe('webgpu');
  });

  it('names the valid devices when given an unknown one', () => {
    expect(() => resolveDevice('cuda', true)).toThrow(/expected one of auto, webgpu, wasm, cpu/);
  });
});

// What the adapters here report: Chromium 156's SwiftShader (`--use-webgpu-adapter=swiftshader`),
// and Dawn's Node binding on SwiftShader's Vulkan driver (scripts/with-swiftshader-vulkan.sh).
const chromiumSwiftShader = { info: { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true } };
const dawnSwiftShader = { info: { vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0', isFallbackAdapter: true } };
const hardware = { info: { vendor: 'nvidia', architecture: 'ampere', device: '', description: 'NVIDIA GeForce RTX 3060', isFallbackAdapter: false } };

describe('isSoftwareAdapter', () => {
  it('is true for SwiftShader as Chromium and Dawn report it, false for a GPU', () => {
    expect(isSoftwareAdapter(chromiumSwiftShader)).toBe(true);
    expect(isSoftwareAdapter(dawnSwiftShader)).toBe(true);
    expect(isSoftwareAdapter(hardware)).toBe(false);
  });

  it('reads the fallback flag where older implementations put it, and SwiftShader by name alone', () => {
    expect(isSoftwareAdapter({ info: { vendor: 'x', architecture: 'y' }, isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'google', architecture: '', description: 'SwiftShader Device (Subzero)', isFallbackAdapter: false } })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'apple', architecture: 'metal-3' } })).toBe(false);
    expect(isSoftwareAdapter({})).toBe(false);
  });
});

describe("webGpuAvailable (what device: 'auto' asks)", () => {
  afterEach(() => vi.unstubAllGlobals());
  const withAdapter = (adapter: AdapterDescription | null) => vi.stubGlobal('navigator', { gpu: { requestAdapter: () => Promise.resolve(adapter) } });

  it('is true for a hardware adapter', async () => {
    withAdapter(hardware);
    expect(await webGpuAvailable()).toBe(true);
  });

  it('is false for a software adapter or none', async () => {
    for (const adapter of [chromiumSwiftShader, dawnSwiftShader, { info: { vendor: 'v', architecture: 'a' }, isFallbackAdapter: true }, null]) {
      withAdapter(adapter);
      expect(await webGpuAvailable(), JSON.stringify(adapter)).toBe(false);
    }
  });

  it('is false in Node without a navigator.gpu the app set up', async () => {
    vi.stubGlobal('navigator', {});
    expect(await webGpuAvailable()).toBe(false);
  });
});

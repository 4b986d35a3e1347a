import { GpuDeviceError } from '@rag-web/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixturePath } from '../../../test/fixture-files.js';
import { RagModel } from './rag-model.js';

// Each test file runs in a process of its own: navigator.gpu set here does not leak.
describe("device 'webgpu' in Node without a usable GPU: a typed error, never a quiet run on WASM", () => {
  afterEach(() => {
    vi.doUnmock('webgpu');
    vi.resetModules();
  });

  it('an adapter-less navigator.gpu', async () => {
    const gpu = { requestAdapter: async () => null, getPreferredCanvasFormat: () => 'rgba8unorm' };
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    try {
      const load = RagModel.fromPretrained(fixturePath('tiny-a/model'), { device: 'webgpu', cache: null });
      await expect(load).rejects.toThrow(GpuDeviceError);
      await expect(load).rejects.toThrow(/found no adapter here .*use device 'wasm' or 'cpu'/);
    } finally {
      Reflect.deleteProperty(globalThis, 'navigator');
    }
  });

  it('neither navigator.gpu nor the webgpu package', async () => {
    vi.doMock('webgpu', () => {
      throw new Error("Cannot find package 'webgpu'");
    });
    const { RagModel: Fresh } = await import('./rag-model.js');
    const { GpuDeviceError: FreshError } = await import('@rag-web/core');
    const load = Fresh.fromPretrained(fixturePath('tiny-a/model'), { device: 'webgpu', cache: null });
    await expect(load).rejects.toThrow(FreshError);
    await expect(load).rejects.toThrow(/install the optional package `webgpu`/);
  });
});

import { describe, expect, it } from 'vitest';
import { resolveDevice } from './devices.js';

describe('resolveDevice', () => {
  it('maps auto to webgpu only when an adapter exists', () => {
    expect(resolveDevice('auto', true)).toBe('webgpu');
    expect(resolveDevice('auto', false)).toBe('wasm');
    expect(resolveDevice('wasm', true)).toBe('wasm');
    expect(resolveDevice('webgpu', false)).toBe('webgpu');
  });

  it('names the valid devices when given an unknown one', () => {
    expect(() => resolveDevice('cuda', true)).toThrow(/expected one of auto, webgpu, wasm, cpu/);
  });
});

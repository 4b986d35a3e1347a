import { describe, expect, it } from 'vitest';
import { wgslSnippets } from '../kernels/wgsl/index.js';
import { kernelSource } from './program.js';

describe('kernelSource', () => {
  it('injects the workgroup size and constants from TypeScript, once', () => {
    const src = kernelSource({ name: 'k', code: '@compute @workgroup_size(WG) fn main() {}', workgroupSize: 64, constants: { PER_THREAD: 16 } });
    expect(src).toContain('const WG: u32 = 64u;');
    expect(src).toContain('const PER_THREAD: u32 = 16u;');
    expect(src).toContain('fn invocationIndex');
  });

  it("rejects a kernel that lacks what an included snippet requires, naming it", () => {
    // rowMax needs loadX and a workgroup `scratch`.
    const kernel = { name: 'noScratch', code: 'fn loadX(i: u32) -> f32 { return 0.0; }', workgroupSize: 64, snippets: [wgslSnippets.rowMax] };
    expect(() => kernelSource(kernel)).toThrow(/noScratch: snippet rowMax needs scratch/);
    const ok = { ...kernel, code: `${kernel.code}\nvar<workgroup> scratch: array<f32, WG>;` };
    expect(() => kernelSource(ok)).not.toThrow();
  });

  it('rejects a non-integer constant', () => {
    expect(() => kernelSource({ name: 'bad', code: '', workgroupSize: 0 })).toThrow(/WG = 0/);
  });
});

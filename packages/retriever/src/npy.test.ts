import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../../../test/fixture-files.js';
import { KnowledgeBaseCorruptError } from './errors.js';
import { readNpy, writeNpy } from './npy.js';

describe('.npy float32 matrices', () => {
  it('reads what NumPy wrote (the fixtures: 400 × 40 and 400 × 56)', () => {
    for (const [c, cols] of [['hf-o1', 40], ['hf-o2', 56]] as const) {
      const m = readNpy(new Uint8Array(readFileSync(fixturePath(`${c}/passage_embeddings.npy`))));
      expect([m.rows, m.cols]).toEqual([400, cols]);
      expect(m.data.every(Number.isFinite)).toBe(true);
    }
  });

  it('round-trips, with the data 64-byte aligned as NumPy does', () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => i / 3 - 1);
    const bytes = writeNpy({ rows: 3, cols: 4, data });
    const headerLen = new DataView(bytes.buffer).getUint16(8, true);
    expect((10 + headerLen) % 64).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(10, 10 + headerLen))).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(3, 4\), \}\s+\n$/);
    const back = readNpy(bytes);
    expect([back.rows, back.cols]).toEqual([3, 4]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
    // Unaligned input (a sliced buffer) reads the same.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(Array.from(readNpy(shifted.subarray(1)).data)).toEqual(Array.from(data));
  });

  it('rejects what it cannot read with a typed error', () => {
    const good = writeNpy({ rows: 1, cols: 2, data: new Float32Array(2) });
    expect(() => readNpy(new Uint8Array([1, 2, 3]))).toThrow(KnowledgeBaseCorruptError);
    const f8 = good.slice();
    f8.set(new TextEncoder().encode("'<f8'"), 20);
    expect(() => readNpy(f8)).toThrow(/not float32/);
    expect(() => readNpy(good.subarray(0, good.length - 1))).toThrow(/data bytes/);
  });
});

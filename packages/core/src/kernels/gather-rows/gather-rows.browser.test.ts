import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../../../../../test/expect-close.js';
import { randomFloats, seededRandom } from '../../../../../test/seeded-random.js';
import { tolerances } from '../../../../../test/tolerances.js';
import { ShapeError } from '../../errors.js';
import { createStorageBuffer, readBuffer, readFloat32 } from '../../gpu/buffers.js';
import { acquireGpuDevice } from '../../gpu/device.js';
import { runGatherRows } from './gather-rows.js';
import { gatherRowsRef } from './gather-rows.ref.js';

let device: GPUDevice;

beforeAll(async () => {
  ({ device } = await acquireGpuDevice());
});

describe('gatherRows on WebGPU vs the TS reference', () => {
  const cases = [
    // KV cache after a beam step: [batch·beams = 2·4, heads 4, seq 7, head_dim 16], beams reordered.
    { rows: 8, rowSize: 4 * 7 * 16, indices: [1, 1, 0, 3, 6, 4, 4, 5] },
    // Odd row size, fewer output rows than input rows, one row.
    { rows: 5, rowSize: 33, indices: [4, 2] },
    { rows: 1, rowSize: 1, indices: [0, 0, 0] },
  ];
  for (const { rows, rowSize, indices } of cases) {
    it(`f32 rows=${rows} rowSize=${rowSize} -> ${indices.length} rows`, async () => {
      const src = randomFloats(seededRandom(rows * 100 + rowSize), rows * rowSize);
      src[0] = -Infinity;
      const idx = new Uint32Array(indices);
      const srcBuf = createStorageBuffer(device, src, 'src');
      const out = runGatherRows(device, srcBuf, idx, { rows, rowSize });
      const got = await readFloat32(device, out, idx.length * rowSize);
      expectClose(got, gatherRowsRef(src, idx, { rows, rowSize }), tolerances.webgpu.selectExact, 'gatherRows');
      srcBuf.destroy();
      out.destroy();
    });
  }

  it('f16 rows (even rowSize) move bit for bit, NaN payloads included', async () => {
    const rows = 6;
    const rowSize = 2 * 3 * 5; // 30 halves = 15 words
    const rand = seededRandom(7);
    const src = new Uint16Array(rows * rowSize).map(() => Math.floor(rand() * 0x10000));
    src[rowSize + 1] = 0x7e05; // a NaN with a payload
    const idx = new Uint32Array([5, 1, 1, 0, 2, 3]);
    const srcBuf = createStorageBuffer(device, new Uint32Array(src.buffer), 'src');
    const out = runGatherRows(device, srcBuf, idx, { rows, rowSize, dtype: 'f16' });
    const got = new Uint16Array(await readBuffer(device, out, idx.length * rowSize * 2));
    expect([...got]).toEqual([...gatherRowsRef(src, idx, { rows, rowSize, dtype: 'f16' })]);
    srcBuf.destroy();
    out.destroy();
  });

  it('folds a dispatch of more than 65535 workgroups into 2-D (8 rows of 16 heads · 2150 · 64)', async () => {
    const rows = 4;
    const rowSize = 16 * 2150 * 64; // 8 rows of 2.2M words: 68800 workgroups of 256
    const idx = new Uint32Array([3, 0, 2, 2, 1, 1, 0, 3]);
    expect(Math.ceil((idx.length * rowSize) / 256)).toBeGreaterThan(device.limits.maxComputeWorkgroupsPerDimension);
    // Each word holds its own (row, column) so that any misplaced word is visible.
    const src = new Uint32Array(rows * rowSize).map((_, i) => i);
    const srcBuf = createStorageBuffer(device, src, 'src');
    const out = runGatherRows(device, srcBuf, idx, { rows, rowSize });
    const got = new Uint32Array(await readBuffer(device, out, idx.length * rowSize * 4));
    let mismatches = 0;
    idx.forEach((r, i) => {
      for (let c = 0; c < rowSize; c++) if (got[i * rowSize + c] !== r * rowSize + c) mismatches++;
    });
    expect(mismatches).toBe(0);
    srcBuf.destroy();
    out.destroy();
  });

  it('rejects out-of-range indices and a src buffer too small for the shape', () => {
    const srcBuf = createStorageBuffer(device, new Float32Array(8), 'src');
    expect(() => runGatherRows(device, srcBuf, new Uint32Array([0, 2]), { rows: 2, rowSize: 4 })).toThrow(ShapeError);
    expect(() => runGatherRows(device, srcBuf, new Uint32Array([0]), { rows: 3, rowSize: 4 })).toThrow(ShapeError);
    srcBuf.destroy();
  });
});

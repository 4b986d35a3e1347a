import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../../../../../test/expect-close.js';
import { randomFloats, seededRandom } from '../../../../../test/seeded-random.js';
import { tolerances } from '../../../../../test/tolerances.js';
import { ShapeError } from '../../errors.js';
import { createStorageBuffer } from '../../gpu/buffers.js';
import { acquireGpuDevice } from '../../gpu/device.js';
import { readTopK, runTopK } from './top-k.js';
import { topKRef } from './top-k.ref.js';
import type { TopKShape } from './top-k.validate.js';

let device: GPUDevice;

beforeAll(async () => {
  ({ device } = await acquireGpuDevice());
});

async function expectMatchesRef(scores: Float32Array, shape: TopKShape): Promise<void> {
  const buf = createStorageBuffer(device, scores, 'scores');
  const out = runTopK(device, buf, shape);
  const got = await readTopK(device, out, shape.rows, shape.k);
  const want = topKRef(scores, shape);
  expect([...got.ids], 'ids').toEqual([...want.ids]);
  expectClose(got.values, want.values, tolerances.webgpu.selectExact, 'topK values');
  for (const b of [buf, out.ids, out.values]) b.destroy();
}

describe('topK on WebGPU vs the TS reference', () => {
  it('V = 50265, one row, k = 1 and k = 8', async () => {
    const scores = randomFloats(seededRandom(1), 50265, -100, 100);
    await expectMatchesRef(scores, { rows: 1, cols: 50265, k: 1 });
    await expectMatchesRef(scores, { rows: 1, cols: 50265, k: 8 });
  });

  it('beams·V = 3·50265, 2 rows, k = 8, planted ties at and around the top', async () => {
    const cols = 3 * 50265;
    const scores = randomFloats(seededRandom(2), 2 * cols, -20, 20);
    // Row 0: the maximum at 5 columns spread over different chunks, the latest first in memory
    // order of chunks processed; a tie straddling the k-th place.
    for (const c of [150000, 7, 4096, 4095, 99999]) scores[c] = 50;
    for (const c of [120000, 3, 60000, 8191]) scores[c] = 40;
    // Row 1: masked vocabulary (-Infinity) except a few columns, some tied.
    scores.fill(-Infinity, cols, 2 * cols);
    for (const [c, v] of [[12, 1], [140000, 1], [5, -3], [77777, 2]] as const) scores[cols + c] = v;
    await expectMatchesRef(scores, { rows: 2, cols, k: 8 });
  });

  it('awkward sizes and special rows: partial chunks, k > finite count, NaN, ±0, all -Infinity', async () => {
    const cols = 4100; // one full chunk and one of 4 columns (fewer than k: sentinel padding)
    const rows = 4;
    const rand = seededRandom(3);
    const scores = randomFloats(rand, rows * cols, -1, 1);
    for (let i = 0; i < cols; i++) scores[i] = Math.round(scores[i]! * 3); // row 0: heavy ties
    scores.fill(-Infinity, cols, 2 * cols); // row 1: all -Infinity
    scores.fill(-Infinity, 2 * cols, 3 * cols); // row 2: 3 finite, NaNs, -0
    scores[2 * cols + 4099] = 0;
    scores[2 * cols + 17] = -0;
    scores[2 * cols + 2000] = -1e30;
    for (const c of [1, 4098, 3000]) scores[2 * cols + c] = NaN;
    for (const c of [4097, 4098, 10]) scores[3 * cols + c] = 5; // row 3: ties in the short chunk
    await expectMatchesRef(scores, { rows, cols, k: 16 });
  });

  it('k = 64 on 1000 columns (not a multiple of the workgroup), and k = cols', async () => {
    const rand = seededRandom(4);
    const scores = randomFloats(rand, 3 * 1000, -1, 1).map((v) => Math.round(v * 8) / 8);
    await expectMatchesRef(scores, { rows: 3, cols: 1000, k: 64 });
    await expectMatchesRef(scores.subarray(0, 777), { rows: 1, cols: 777, k: 777 });
  });

  it('rejects k > cols and a scores buffer too small for the shape', () => {
    const buf = createStorageBuffer(device, new Float32Array(8), 'scores');
    expect(() => runTopK(device, buf, { rows: 1, cols: 8, k: 9 })).toThrow(ShapeError);
    expect(() => runTopK(device, buf, { rows: 2, cols: 8, k: 1 })).toThrow(ShapeError);
    buf.destroy();
  });
});

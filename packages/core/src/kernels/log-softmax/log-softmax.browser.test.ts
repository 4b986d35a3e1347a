import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectClose } from '../../../../../test/expect-close.js';
import { expectCloseOnGpu } from '../../../../../test/gpu-compare.js';
import { randomFloats, seededRandom } from '../../../../../test/seeded-random.js';
import { tolerances } from '../../../../../test/tolerances.js';
import { ShapeError } from '../../errors.js';
import { createStorageBuffer, readFloat32 } from '../../gpu/buffers.js';
import { acquireGpuDevice } from '../../gpu/device.js';
import { runLogSoftmax } from './log-softmax.js';
import { logSoftmaxRef } from './log-softmax.ref.js';

let device: GPUDevice;

beforeAll(async () => {
  ({ device } = await acquireGpuDevice());
});

// A WGSL compile or binding error only reaches an error scope: fail the test on it, instead of
// comparing against a buffer the kernel never wrote.
beforeEach(() => device.pushErrorScope('validation'));
afterEach(async () => {
  expect((await device.popErrorScope())?.message).toBeUndefined();
});

/** Random rows, then the awkward ones: ±100 alternating, a few −inf entries, all −inf. */
function awkwardRows(seed: number, rows: number, vocab: number): Float32Array {
  const x = randomFloats(seededRandom(seed), rows * vocab, -8, 8);
  const row = (r: number) => x.subarray(r * vocab, (r + 1) * vocab);
  if (rows > 1) row(1).forEach((_, v, a) => (a[v] = v % 2 ? 100 : -100));
  if (rows > 2) row(2).forEach((_, v, a) => v % 7 === 3 && (a[v] = -Infinity));
  if (rows > 3) row(3).fill(-Infinity);
  return x;
}

describe('logSoftmax on WebGPU vs the TS reference', () => {
  const small = [
    { rows: 1, vocab: 1 },
    { rows: 4, vocab: 450 },
    { rows: 5, vocab: 1000 },
    { rows: 2, vocab: 256 },
  ];
  for (const shape of small) {
    it(`rows=${shape.rows} V=${shape.vocab} element-wise`, async () => {
      const x = awkwardRows(shape.rows * 7919 + shape.vocab, shape.rows, shape.vocab);
      const input = createStorageBuffer(device, x, 'x');
      const out = runLogSoftmax(device, input, shape);
      const got = await readFloat32(device, out, x.length);
      expectClose(got, logSoftmaxRef(x, shape), tolerances.webgpu.kernelVsRef, 'logSoftmax');
      input.destroy();
      out.destroy();
    });
  }

  it('rows=4 V=50265 compared on the GPU', async () => {
    const shape = { rows: 4, vocab: 50265 };
    const x = awkwardRows(50265, shape.rows, shape.vocab);
    const input = createStorageBuffer(device, x, 'x');
    const expected = createStorageBuffer(device, logSoftmaxRef(x, shape), 'expected');
    const out = runLogSoftmax(device, input, shape);
    await expectCloseOnGpu(device, out, expected, x.length, tolerances.webgpu.kernelVsRef, 'logSoftmax V=50265');
    for (const b of [input, expected, out]) b.destroy();
  });

  it('rejects an input buffer too small for the shape', () => {
    const input = createStorageBuffer(device, new Float32Array(4), 'x');
    expect(() => runLogSoftmax(device, input, { rows: 2, vocab: 3 })).toThrow(ShapeError);
    input.destroy();
  });
});

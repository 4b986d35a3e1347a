import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectClose } from '../../../../../test/expect-close.js';
import { expectCloseOnGpu } from '../../../../../test/gpu-compare.js';
import { randomFloats, seededRandom } from '../../../../../test/seeded-random.js';
import { tolerances } from '../../../../../test/tolerances.js';
import { ShapeError } from '../../errors.js';
import { createStorageBuffer, readFloat32 } from '../../gpu/buffers.js';
import { acquireGpuDevice } from '../../gpu/device.js';
import { batchHfCases, hfCases } from '../../../../../test/hf-cases.js';
import { runMarginalize } from './marginalize.js';
import { marginalizeRef } from './marginalize.ref.js';
import type { MarginalizeShape } from './marginalize.validate.js';

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

/**
 * Random logits and doc scores, plus awkward rows when there are enough: a ±100 row, a row with
 * −inf entries, a row of all −inf (its (b, t) marginal is NaN), and a −inf doc score.
 */
function inputs(seed: number, shape: MarginalizeShape): { seqLogits: Float32Array; docScores: Float32Array } {
  const { batch, nDocs, seqLen, vocab } = shape;
  const rand = seededRandom(seed);
  const seqLogits = randomFloats(rand, batch * nDocs * seqLen * vocab, -8, 8);
  const docScores = randomFloats(rand, batch * nDocs, -3, 3);
  const row = (r: number) => seqLogits.subarray(r * vocab, (r + 1) * vocab);
  const rows = batch * nDocs * seqLen;
  if (rows > 2) row(1).forEach((_, v, a) => (a[v] = v % 2 ? 100 : -100));
  if (rows > 3) row(2).forEach((_, v, a) => v % 5 === 1 && (a[v] = -Infinity));
  if (rows > 5) row(rows - 1).fill(-Infinity);
  if (nDocs > 1 && batch > 1) docScores[nDocs + 1] = -Infinity;
  return { seqLogits, docScores };
}

async function check(shape: MarginalizeShape, seqLogits: Float32Array, docScores: Float32Array, onGpu: boolean): Promise<Float32Array | undefined> {
  const logitsBuf = createStorageBuffer(device, seqLogits, 'seqLogits');
  const docBuf = createStorageBuffer(device, docScores, 'docScores');
  const out = runMarginalize(device, logitsBuf, docBuf, shape);
  const expected = marginalizeRef(seqLogits, docScores, shape);
  const what = `marginalize ${JSON.stringify(shape)}`;
  let got: Float32Array | undefined;
  if (onGpu) {
    const expectedBuf = createStorageBuffer(device, expected, 'expected');
    await expectCloseOnGpu(device, out, expectedBuf, expected.length, tolerances.webgpu.kernelVsRef, what);
    expectedBuf.destroy();
  } else {
    got = await readFloat32(device, out, expected.length);
    expectClose(got, expected, tolerances.webgpu.kernelVsRef, what);
  }
  for (const b of [logitsBuf, docBuf, out]) b.destroy();
  return got;
}

describe('marginalize on WebGPU vs the TS reference', () => {
  const small: MarginalizeShape[] = [
    { batch: 2, nDocs: 3, seqLen: 2, vocab: 450 },
    { batch: 1, nDocs: 1, seqLen: 1, vocab: 1000 },
    { batch: 2, nDocs: 5, seqLen: 1, vocab: 1000 },
  ];
  for (const shape of small) {
    it(`B=${shape.batch} n=${shape.nDocs} T=${shape.seqLen} V=${shape.vocab} element-wise`, async () => {
      const { seqLogits, docScores } = inputs(shape.batch * 31 + shape.nDocs * 7 + shape.vocab, shape);
      await check(shape, seqLogits, docScores, false);
    });
  }

  it('B=2 n=3 T=1 V=50265 compared on the GPU', async () => {
    const shape = { batch: 2, nDocs: 3, seqLen: 1, vocab: 50265 };
    const { seqLogits, docScores } = inputs(50265, shape);
    await check(shape, seqLogits, docScores, true);
  });

  it('rejects a doc-score buffer too small for the shape', () => {
    const logitsBuf = createStorageBuffer(device, new Float32Array(8), 'seqLogits');
    const docBuf = createStorageBuffer(device, new Float32Array(1), 'docScores');
    expect(() => runMarginalize(device, logitsBuf, docBuf, { batch: 1, nDocs: 2, seqLen: 2, vocab: 2 })).toThrow(ShapeError);
    logitsBuf.destroy();
    docBuf.destroy();
  });
});

describe('marginalize on WebGPU vs HF transformers', () => {
  for (const fixture of ['hf-o1', 'hf-o2']) {
    it(`${fixture}: both questions as one padded batch of 2, last positions`, async () => {
      const cases = hfCases().filter((c) => c.name.startsWith(fixture));
      const { shape, seqLogits, docScores } = batchHfCases(cases);
      const got = (await check(shape, seqLogits, docScores, false))!;
      cases.forEach((c, b) => {
        const at = (b * shape.seqLen + c.seqLen - 1) * shape.vocab;
        expectClose(got.subarray(at, at + shape.vocab), c.marginalizedLast, tolerances.hf.reference, c.name);
      });
    });
  }
});

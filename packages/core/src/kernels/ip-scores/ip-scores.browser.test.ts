import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../../../../../test/expect-close.js';
import { randomFloats, seededRandom } from '../../../../../test/seeded-random.js';
import { tolerances } from '../../../../../test/tolerances.js';
import { ShapeError } from '../../errors.js';
import { createStorageBuffer, readFloat32 } from '../../gpu/buffers.js';
import { acquireGpuDevice } from '../../gpu/device.js';
import { runIpScores } from './ip-scores.js';
import { ipScoresRef } from './ip-scores.ref.js';
import type { IpScoresShape } from './ip-scores.validate.js';

let device: GPUDevice;

beforeAll(async () => {
  ({ device } = await acquireGpuDevice());
});

describe('ipScores on WebGPU vs the TS reference', () => {
  const shapes: IpScoresShape[] = [
    { queries: 1, rows: 1, dim: 1 },
    { queries: 3, rows: 130, dim: 40 }, // 390 invocations: a partial last workgroup
    { queries: 2, rows: 1000, dim: 768 },
    { queries: 5, rows: 77, dim: 33 },
    // Doc scores: each question against its own docs.
    { queries: 1, rows: 5, dim: 768, corpus: 'perQuery' },
    { queries: 26, rows: 5, dim: 33, corpus: 'perQuery' },
  ];
  for (const shape of shapes) {
    it(`Q=${shape.queries} N=${shape.rows} D=${shape.dim} ${shape.corpus ?? 'shared'}`, async () => {
      const rand = seededRandom(shape.queries * 7919 + shape.rows * 31 + shape.dim);
      const q = randomFloats(rand, shape.queries * shape.dim);
      const c = randomFloats(rand, (shape.corpus === 'perQuery' ? shape.queries : 1) * shape.rows * shape.dim);
      const qBuf = createStorageBuffer(device, q, 'q');
      const cBuf = createStorageBuffer(device, c, 'c');
      const out = runIpScores(device, qBuf, cBuf, shape);
      const got = await readFloat32(device, out, shape.queries * shape.rows);
      expectClose(got, ipScoresRef(q, c, shape), tolerances.webgpu.kernelVsRef, 'ipScores');
      for (const b of [qBuf, cBuf, out]) b.destroy();
    });
  }

  it('rejects a corpus buffer too small for the shape', () => {
    const qBuf = createStorageBuffer(device, new Float32Array(4), 'q');
    const cBuf = createStorageBuffer(device, new Float32Array(4), 'c');
    expect(() => runIpScores(device, qBuf, cBuf, { queries: 1, rows: 2, dim: 4 })).toThrow(ShapeError);
    expect(() => runIpScores(device, qBuf, cBuf, { queries: 2, rows: 2, dim: 2, corpus: 'perQuery' })).toThrow(ShapeError);
    qBuf.destroy();
    cBuf.destroy();
  });
});

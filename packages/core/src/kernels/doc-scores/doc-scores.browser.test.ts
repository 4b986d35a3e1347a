import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../../../../../test/expect-close.js';
import { randomFloats, seededRandom } from '../../../../../test/seeded-random.js';
import { tolerances } from '../../../../../test/tolerances.js';
import { ShapeError } from '../../errors.js';
import { createStorageBuffer, readFloat32 } from '../../gpu/buffers.js';
import { acquireGpuDevice } from '../../gpu/device.js';
import { runDocScores } from './doc-scores.js';
import { docScoresRef } from './doc-scores.ref.js';

let device: GPUDevice;

beforeAll(async () => {
  ({ device } = await acquireGpuDevice());
});

describe('docScores on WebGPU vs the TS reference', () => {
  const shapes = [
    { batch: 1, nDocs: 1, hidden: 1 },
    { batch: 1, nDocs: 5, hidden: 768 },
    { batch: 3, nDocs: 7, hidden: 40 },
    // 130 rows: more than two workgroups of 64, last one partial.
    { batch: 26, nDocs: 5, hidden: 33 },
  ];
  for (const shape of shapes) {
    it(`B=${shape.batch} n=${shape.nDocs} H=${shape.hidden}`, async () => {
      const rand = seededRandom(shape.batch * 1000 + shape.nDocs * 10 + shape.hidden);
      const q = randomFloats(rand, shape.batch * shape.hidden);
      const d = randomFloats(rand, shape.batch * shape.nDocs * shape.hidden);
      const qBuf = createStorageBuffer(device, q, 'q');
      const dBuf = createStorageBuffer(device, d, 'd');
      const out = runDocScores(device, qBuf, dBuf, shape);
      const got = await readFloat32(device, out, shape.batch * shape.nDocs);
      expectClose(got, docScoresRef(q, d, shape), tolerances.webgpu.kernelVsRef, 'docScores');
      for (const b of [qBuf, dBuf, out]) b.destroy();
    });
  }

  it('rejects a doc buffer too small for the shape', () => {
    const qBuf = createStorageBuffer(device, new Float32Array(4), 'q');
    const dBuf = createStorageBuffer(device, new Float32Array(4), 'd');
    expect(() => runDocScores(device, qBuf, dBuf, { batch: 1, nDocs: 2, hidden: 4 })).toThrow(ShapeError);
    qBuf.destroy();
    dBuf.destroy();
  });
});

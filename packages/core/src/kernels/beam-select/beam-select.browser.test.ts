import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../../test/seeded-random.js';
import { createStorageBuffer, readUint32 } from '../../gpu/buffers.js';
import { acquireGpuDevice } from '../../gpu/device.js';
import { runBeamSelect } from './beam-select.js';
import { beamSelectRef } from './beam-select.ref.js';
import type { BeamSelectShape } from './beam-select.validate.js';

let device: GPUDevice;

beforeAll(async () => {
  ({ device } = await acquireGpuDevice());
});

/** Sorted top-k-like candidates with EOS tokens sprinkled in and some exact score ties. */
function candidates(rand: () => number, shape: BeamSelectShape): { ids: Uint32Array; values: Float32Array } {
  const { batch, k, numBeams, vocab } = shape;
  const ids = new Uint32Array(batch * k);
  const values = new Float32Array(batch * k);
  for (let b = 0; b < batch; b++) {
    let v = -rand();
    for (let i = 0; i < k; i++) {
      const token = rand() < 0.3 ? shape.eosTokenIds[0] ?? 0 : Math.floor(rand() * vocab);
      ids[b * k + i] = Math.floor(rand() * numBeams) * vocab + token;
      if (rand() > 0.2) v -= rand();
      values[b * k + i] = v;
    }
  }
  return { ids, values };
}

describe('beamSelect on WebGPU vs the TS reference', () => {
  const shapes: BeamSelectShape[] = [
    { batch: 1, k: 4, numBeams: 2, vocab: 50265, nDocs: 5, eosTokenIds: [2], reachesMax: false },
    { batch: 3, k: 12, numBeams: 4, vocab: 97, nDocs: 1, eosTokenIds: [2, 7], reachesMax: false },
    { batch: 2, k: 6, numBeams: 3, vocab: 40, nDocs: 2, eosTokenIds: [], reachesMax: false },
    { batch: 2, k: 6, numBeams: 3, vocab: 40, nDocs: 2, eosTokenIds: [2], reachesMax: true },
  ];
  shapes.forEach((shape, n) => {
    it(`B=${shape.batch} k=${shape.k} beams=${shape.numBeams} n=${shape.nDocs} eos=${shape.eosTokenIds.length} max=${shape.reachesMax}`, async () => {
      for (let trial = 0; trial < 5; trial++) {
        const { ids, values } = candidates(seededRandom(100 * n + trial), shape);
        const idBuf = createStorageBuffer(device, ids, 'ids');
        const valueBuf = createStorageBuffer(device, values, 'values');
        const out = runBeamSelect(device, idBuf, valueBuf, shape);
        const expected = beamSelectRef(ids, values, shape);
        expect([...(await readUint32(device, out.nextBeamIndices, expected.nextBeamIndices.length))]).toEqual([...expected.nextBeamIndices]);
        expect([...(await readUint32(device, out.cacheRows, expected.cacheRows.length))]).toEqual([...expected.cacheRows]);
        for (const b of [idBuf, valueBuf, out.nextBeamIndices, out.cacheRows]) b.destroy();
      }
    });
  });
});

import { beforeAll, describe, it } from 'vitest';
import { expectClose } from '../../../../../test/expect-close.js';
import { randomFloats, seededRandom } from '../../../../../test/seeded-random.js';
import { tolerances } from '../../../../../test/tolerances.js';
import { createStorageBuffer, readFloat32 } from '../../gpu/buffers.js';
import { acquireGpuDevice } from '../../gpu/device.js';
import { runLogitsEdits } from './logits-edits.js';
import { logitsEditsRef } from './logits-edits.ref.js';
import type { RowEdit } from './logits-edits.validate.js';

let device: GPUDevice;

beforeAll(async () => {
  ({ device } = await acquireGpuDevice());
});

describe('logitsEdits on WebGPU vs the TS reference', () => {
  const cases: Array<{ rows: number; vocab: number; edits: RowEdit[] }> = [
    { rows: 1, vocab: 1, edits: [{ force: [0] }] },
    { rows: 3, vocab: 450, edits: [{ ban: [2, 7, 449] }, { allow: [0, 5, 6], ban: [5] }, { force: [2], ban: [2] }] },
    // ForcedEOS with an EOS list, and a force emptied by a later ban.
    { rows: 3, vocab: 1000, edits: [{ force: [2, 0, 999] }, { force: [] }, { ban: [1], force: [7] }] },
    // Beam rows over the BART vocabulary; V is not a multiple of the workgroup size.
    { rows: 4, vocab: 50265, edits: [{ ban: [2] }, {}, { allow: [50264] }, { ban: Array.from({ length: 40 }, (_, i) => i * 1000) }] },
  ];
  for (const { rows, vocab, edits } of cases) {
    it(`rows=${rows} V=${vocab}`, async () => {
      const rand = seededRandom(rows * 7 + vocab);
      const scores = randomFloats(rand, rows * vocab, -30, 0);
      const beamScores = randomFloats(rand, rows, -5, 0);
      const input = createStorageBuffer(device, scores, 'scores');
      const out = runLogitsEdits(device, input, beamScores, edits, { rows, vocab });
      expectClose(await readFloat32(device, out, rows * vocab), logitsEditsRef(scores, beamScores, edits, { rows, vocab }), tolerances.webgpu.kernelVsRef, 'logitsEdits');
      input.destroy();
      out.destroy();
    });
  }
});

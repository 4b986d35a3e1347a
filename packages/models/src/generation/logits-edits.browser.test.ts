import { acquireGpuDevice, createStorageBuffer, readFloat32, runLogitsEdits } from '@rag-web/core';
import { beforeAll, describe, it } from 'vitest';
import { expectClose } from '../../../../test/expect-close.js';
import { randomFloats, seededRandom } from '../../../../test/seeded-random.js';
import { tolerances } from '../../../../test/tolerances.js';
import { denseApply } from '../../test/dense-generation.js';
import { LogitsProcessorList } from './logits-processor-list.js';
import { ForcedEOSTokenLogitsProcessor, NoBadWordsLogitsProcessor, NoRepeatNGramLogitsProcessor, type LogitsProcessor } from './logits-processors.js';

// The processors' RowEdits through core's WGSL kernel equal transformers' dense processors (plus
// the beam score): ForcedEOS with several EOS ids, and NoBadWords before or after it.
const V = 50265;
const ROWS = 6;
let device: GPUDevice;

beforeAll(async () => {
  ({ device } = await acquireGpuDevice());
});

describe('processors as RowEdits on WebGPU vs the dense processors', () => {
  const badWords = () => new NoBadWordsLogitsProcessor([[19], [302, 81]], 2);
  const forcedEos = () => new ForcedEOSTokenLogitsProcessor(10, [2, 0]);
  const cases: Array<{ name: string; processors: LogitsProcessor[]; curLen: number }> = [
    { name: 'NoBadWords, ForcedEOS [2, 0] at max_length - 1', processors: [badWords(), forcedEos()], curLen: 9 },
    // A bad word after the force removes one forced id ([[2]] is not dropped: its EOS is 0 here).
    { name: 'ForcedEOS [2, 0], then a ban on 2', processors: [forcedEos(), new NoBadWordsLogitsProcessor([[2]], 0)], curLen: 9 },
    { name: 'NoRepeatNGram, NoBadWords, ForcedEOS before max_length - 1', processors: [new NoRepeatNGramLogitsProcessor(2), badWords(), forcedEos()], curLen: 6 },
  ];
  for (const { name, processors: list, curLen } of cases) {
    it(name, async () => {
      const processors = new LogitsProcessorList(list);
      const rand = seededRandom(curLen * 31 + name.length);
      // Even rows end in 302 (the bad word [302, 81]); tokens repeat for NoRepeatNGram.
      const row = (r: number) => Array.from({ length: curLen }, (_, i) => (i === curLen - 1 && r % 2 === 0 ? 302 : 19 + ((r + i) % 3)));
      const inputIds = Array.from({ length: ROWS }, (_, r) => row(r));
      const scores = randomFloats(rand, ROWS * V, -30, 0);
      const beamScores = randomFloats(rand, ROWS, -5, 0);
      const input = createStorageBuffer(device, scores, 'test.scores');
      const out = runLogitsEdits(device, input, beamScores, processors.edits(inputIds, V), { rows: ROWS, vocab: V });
      const dense = scores.slice();
      denseApply(processors, inputIds, dense, V);
      const expected = dense.map((s, i) => Math.fround(s + beamScores[Math.floor(i / V)]!));
      expectClose(await readFloat32(device, out, ROWS * V), expected, tolerances.webgpu.selectExact, name);
      input.destroy();
      out.destroy();
    });
  }
});

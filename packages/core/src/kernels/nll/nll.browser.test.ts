import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectClose } from '../../../../../test/expect-close.js';
import { randomFloats, seededRandom } from '../../../../../test/seeded-random.js';
import { tolerances } from '../../../../../test/tolerances.js';
import { RagConfigError } from '../../errors.js';
import { createStorageBuffer, readFloat32 } from '../../gpu/buffers.js';
import { acquireGpuDevice } from '../../gpu/device.js';
import { batchHfCases, HF_BOS_TOKEN_ID, HF_PAD_TOKEN_ID, hfCases } from '../../../../../test/hf-cases.js';
import { runRagSequenceNll, runRagTokenNll } from './nll.js';
import { ragSequenceNllRef, ragTokenNllRef } from './nll.ref.js';
import { ragNllLength, type RagNllResult, type RagNllShape, type RagSequenceNllOptions } from './nll.validate.js';

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

type Variant = 'token' | 'sequence';

/** Runs one GPU NLL and splits its [loss | nllLoss | smoothLoss] buffer. */
async function gpuNll(
  variant: Variant,
  inputs: { seqLogits: Float32Array; docScores: Float32Array; labels: Int32Array },
  shape: RagNllShape,
  options: RagSequenceNllOptions,
): Promise<RagNllResult> {
  const x = createStorageBuffer(device, inputs.seqLogits, 'seqLogits');
  const d = createStorageBuffer(device, inputs.docScores, 'docScores');
  const l = createStorageBuffer(device, inputs.labels, 'labels');
  const run = variant === 'token' ? runRagTokenNll : runRagSequenceNll;
  const out = run(device, x, d, l, shape, options);
  const n = ragNllLength(shape.batch, options.reduceLoss);
  const all = await readFloat32(device, out, 3 * n);
  for (const b of [x, d, l, out]) b.destroy();
  return { loss: all.subarray(0, n), nllLoss: all.subarray(n, 2 * n), smoothLoss: all.subarray(2 * n) };
}

function refNll(variant: Variant, inputs: { seqLogits: Float32Array; docScores: Float32Array; labels: Int32Array }, shape: RagNllShape, options: RagSequenceNllOptions): RagNllResult {
  const ref = variant === 'token' ? ragTokenNllRef : ragSequenceNllRef;
  return ref(inputs.seqLogits, inputs.docScores, inputs.labels, shape, options);
}

function expectSame(got: RagNllResult, want: RagNllResult, what: string): void {
  const tol = tolerances.webgpu.kernelVsRef;
  expectClose(got.loss, want.loss, tol, `${what} loss`);
  expectClose(got.nllLoss, want.nllLoss, tol, `${what} nllLoss`);
  expectClose(got.smoothLoss, want.smoothLoss, tol, `${what} smoothLoss`);
}

/**
 * Random inputs with pad = 1 and BOS = 0: labels start [2, 0, …] as RAG-Sequence generate's
 * candidates do (so exclude_bos_score applies), the last question ends in pads, row 1 is ±100,
 * and a row of all −inf sits at a padded position (masked, so it must not poison the loss).
 */
function inputs(seed: number, shape: RagNllShape): { seqLogits: Float32Array; docScores: Float32Array; labels: Int32Array } {
  const { batch, nDocs, seqLen, vocab } = shape;
  const rand = seededRandom(seed);
  const seqLogits = randomFloats(rand, batch * nDocs * seqLen * vocab, -6, 6);
  const docScores = randomFloats(rand, batch * nDocs, -2, 2);
  const labels = Int32Array.from({ length: batch * seqLen }, () => 3 + Math.floor(rand() * (vocab - 3)));
  for (let b = 0; b < batch; b++) {
    labels[b * seqLen] = 2;
    if (seqLen > 1) labels[b * seqLen + 1] = HF_BOS_TOKEN_ID;
  }
  if (seqLen > 3) {
    labels[batch * seqLen - 1] = HF_PAD_TOKEN_ID; // target of position seqLen − 2
    const r = ((batch - 1) * nDocs + nDocs - 1) * seqLen + seqLen - 2;
    seqLogits.subarray(r * vocab, (r + 1) * vocab).fill(-Infinity);
    seqLogits.subarray(vocab, 2 * vocab).forEach((_, v, a) => (a[v] = v % 2 ? 100 : -100));
  }
  return { seqLogits, docScores, labels };
}

const variants: [Variant, RagSequenceNllOptions][] = [
  ['token', { padTokenId: HF_PAD_TOKEN_ID, epsilon: 0.1 }],
  ['token', { padTokenId: HF_PAD_TOKEN_ID, reduceLoss: true }],
  ['sequence', { padTokenId: HF_PAD_TOKEN_ID, epsilon: 0.1 }],
  ['sequence', { padTokenId: HF_PAD_TOKEN_ID, reduceLoss: true, excludeBosScore: true, bosTokenId: HF_BOS_TOKEN_ID }],
];

describe('RAG get_nll on WebGPU vs the TS reference', () => {
  const shapes: RagNllShape[] = [
    { batch: 2, nDocs: 3, seqLen: 5, vocab: 450 },
    { batch: 2, nDocs: 1, seqLen: 1, vocab: 1000 },
  ];
  for (const shape of shapes) {
    it(`B=${shape.batch} n=${shape.nDocs} T=${shape.seqLen} V=${shape.vocab}, token and sequence variants`, async () => {
      const data = inputs(shape.nDocs * 100 + shape.seqLen, shape);
      for (const [variant, options] of variants) {
        const what = `${variant} ${JSON.stringify(options)}`;
        expectSame(await gpuNll(variant, data, shape, options), refNll(variant, data, shape, options), what);
      }
    });
  }

  it('B=1 n=2 T=4 V=50265, both variants with label smoothing', async () => {
    const shape = { batch: 1, nDocs: 2, seqLen: 4, vocab: 50265 };
    const data = inputs(50265, shape);
    for (const [variant, options] of [variants[0]!, variants[2]!]) {
      expectSame(await gpuNll(variant, data, shape, options), refNll(variant, data, shape, options), `${variant} V=50265`);
    }
  });

  it('rejects a pad id outside the vocabulary', () => {
    const b = createStorageBuffer(device, new Float32Array(8), 'any');
    expect(() => runRagTokenNll(device, b, b, b, { batch: 1, nDocs: 2, seqLen: 2, vocab: 2 }, { padTokenId: 2 })).toThrow(RagConfigError);
    b.destroy();
  });
});

describe('RAG get_nll on WebGPU vs HF transformers', () => {
  for (const fixture of ['hf-o1', 'hf-o2']) {
    it(`${fixture}: both questions as one padded batch of 2`, async () => {
      const cases = hfCases().filter((c) => c.name.startsWith(fixture));
      const { shape, ...data } = batchHfCases(cases);
      const hf = { padTokenId: HF_PAD_TOKEN_ID };
      const sum = (f: (c: (typeof cases)[number]) => number) => [cases.reduce((s, c) => s + f(c), 0)];
      const checks: [Variant, RagSequenceNllOptions, number[]][] = [
        ['token', hf, cases.map((c) => c.tokenLoss)],
        ['token', { ...hf, reduceLoss: true }, sum((c) => c.tokenLossReduced)],
        ['sequence', hf, cases.map((c) => c.seqLoss)],
        ['sequence', { ...hf, excludeBosScore: true, bosTokenId: HF_BOS_TOKEN_ID, reduceLoss: true }, sum((c) => c.seqLossExclBosReduced)],
        ['sequence', { ...hf, epsilon: 0.1, reduceLoss: true }, sum((c) => c.seqLossSmooth01)],
      ];
      for (const [variant, options, want] of checks) {
        const got = await gpuNll(variant, data, shape, options);
        expectClose(got.loss, want, tolerances.hf.reference, `${fixture} ${variant} ${JSON.stringify(options)}`);
      }
    });
  }
});

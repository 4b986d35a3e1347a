import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../../../../../test/expect-close.js';
import { randomFloats, seededRandom } from '../../../../../test/seeded-random.js';
import { tolerances } from '../../../../../test/tolerances.js';
import { float16ToFloat32Array, float32ToFloat16Array } from '../../float16.js';
import { createStorageBuffer, readFloat32 } from '../../gpu/buffers.js';
import { acquireGpuDevice } from '../../gpu/device.js';
import { runLogSoftmax } from '../log-softmax/log-softmax.js';
import { logSoftmaxRef } from '../log-softmax/log-softmax.ref.js';
import { runMarginalize } from '../marginalize/marginalize.js';
import { marginalizeRef } from '../marginalize/marginalize.ref.js';
import { runRagSequenceNll, runRagTokenNll } from '../nll/nll.js';
import { ragSequenceNllRef, ragTokenNllRef } from '../nll/nll.ref.js';

// fp16 logits (an fp16 model's output) read by the logits kernels: compared with the TS
// references on the same values widened to f32, so only the kernels' own rounding differs.
let device: GPUDevice;

beforeAll(async () => {
  ({ device } = await acquireGpuDevice());
});

/** f16 words packed two per u32, as an ORT float16 tensor's buffer holds them. */
function f16Buffer(values: Uint16Array): GPUBuffer {
  const words = new Uint32Array(Math.ceil(values.length / 2));
  new Uint16Array(words.buffer).set(values);
  return createStorageBuffer(device, words, 'logits.f16');
}

describe('f16 logits on WebGPU', () => {
  const shape = { batch: 2, nDocs: 3, seqLen: 4, vocab: 1001, dtype: 'f16' as const };
  const rand = seededRandom(16);
  const half = float32ToFloat16Array(randomFloats(rand, shape.batch * shape.nDocs * shape.seqLen * shape.vocab, -12, 12));
  const logits = float16ToFloat32Array(half);
  const docScores = randomFloats(rand, shape.batch * shape.nDocs, -3, 3);
  const labels = Int32Array.from([0, 5, 1000, 1, /* b1 */ 0, 7, 1, 1]);

  it('logSoftmax', async () => {
    const rows = shape.batch * shape.nDocs * shape.seqLen;
    const input = f16Buffer(half);
    const out = runLogSoftmax(device, input, { rows, vocab: shape.vocab, dtype: 'f16' });
    expectClose(await readFloat32(device, out, rows * shape.vocab), logSoftmaxRef(logits, { rows, vocab: shape.vocab }), tolerances.webgpu.kernelVsRef, 'logSoftmax f16');
    input.destroy();
    out.destroy();
  });

  it('marginalize and both NLLs', async () => {
    const input = f16Buffer(half);
    const scores = createStorageBuffer(device, docScores, 'docScores');
    const labelBuffer = createStorageBuffer(device, labels, 'labels');
    const marginal = runMarginalize(device, input, scores, shape);
    expectClose(await readFloat32(device, marginal, shape.batch * shape.seqLen * shape.vocab), marginalizeRef(logits, docScores, shape), tolerances.webgpu.kernelVsRef, 'marginalize f16');
    const options = { padTokenId: 1, epsilon: 0.1 };
    const token = runRagTokenNll(device, input, scores, labelBuffer, shape, options);
    expectClose(await readFloat32(device, token, shape.batch), ragTokenNllRef(logits, docScores, labels, shape, options).loss, tolerances.webgpu.kernelVsRef, 'token NLL f16');
    const sequence = runRagSequenceNll(device, input, scores, labelBuffer, shape, options);
    expectClose(await readFloat32(device, sequence, shape.batch), ragSequenceNllRef(logits, docScores, labels, shape, options).loss, tolerances.webgpu.kernelVsRef, 'sequence NLL f16');
    for (const b of [input, scores, labelBuffer, marginal, token, sequence]) b.destroy();
  });

  it('checks the buffer holds enough f16 values', () => {
    const small = f16Buffer(half.subarray(0, 10));
    expect(() => runLogSoftmax(device, small, { rows: 2, vocab: 7, dtype: 'f16' })).toThrow(/at least 14/);
    small.destroy();
  });
});

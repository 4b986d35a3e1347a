import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../../../../test/expect-close.js';
import { tolerances } from '../../../../test/tolerances.js';
import { settled, trackGpu, type GpuTracker } from '../../../../test/gpu-tracking.js';
import { logSoftmaxRef } from '../kernels/log-softmax/log-softmax.ref.js';
import { runLogSoftmax } from '../kernels/log-softmax/log-softmax.js';
import { runTopK } from '../kernels/top-k/top-k.js';
import { topKRef } from '../kernels/top-k/top-k.ref.js';
import { createStorageBuffer } from './buffers.js';
import { acquireGpuDevice } from './device.js';
import { KernelRunner } from './kernel-runner.js';

let device: GPUDevice;
let tracker: GpuTracker | undefined;

beforeAll(async () => {
  ({ device } = await acquireGpuDevice());
});

afterEach(() => tracker?.restore());

describe('KernelRunner', () => {
  it('encodes several kernels and their read-back in one submit and frees its temporaries', async () => {
    tracker = trackGpu(device);
    const logits = Float32Array.from({ length: 2 * 300 }, (_, i) => Math.sin(i) * 5);
    const input = createStorageBuffer(device, logits, 'test.logits');
    const run = new KernelRunner(device, 'test.step');
    const logprobs = runLogSoftmax(run, input, { rows: 2, vocab: 300 });
    const top = runTopK(run, logprobs, { rows: 2, cols: 300, k: 3 });
    const ids = run.readUint32(top.ids, 6);
    const values = run.readFloat32(top.values, 6);
    expect(tracker.submits).toBe(0);
    run.submit();
    expect(tracker.submits).toBe(1);
    const expected = topKRef(logSoftmaxRef(logits, { rows: 2, vocab: 300 }), { rows: 2, cols: 300, k: 3 });
    expect([...(await ids)]).toEqual([...expected.ids]);
    expectClose(await values, expected.values, tolerances.webgpu.kernelVsRef, 'top-k scores');
    for (const b of [input, logprobs, top.ids, top.values]) b.destroy();
    await settled(device);
    // Uniforms, top-k candidates and staging buffers went with the submit.
    expect(tracker.aliveLabels()).toEqual([]);
  });

  it('encodes into a caller encoder without submitting, and refuses a second submit', async () => {
    tracker = trackGpu(device);
    const encoder = device.createCommandEncoder({ label: 'rag:test.outer' });
    const run = new KernelRunner(device, 'test.outer', encoder);
    const input = createStorageBuffer(device, new Float32Array([1, 2, 3, 4]), 'test.x');
    const out = runLogSoftmax(run, input, { rows: 1, vocab: 4 });
    const read = run.readFloat32(out, 4);
    expect(() => run.submit()).toThrow(/caller owns this encoder/);
    device.queue.submit([encoder.finish({ label: 'rag:test.outer' })]);
    run.release();
    expect(tracker.submits).toBe(1);
    expectClose(await read, logSoftmaxRef(new Float32Array([1, 2, 3, 4]), { rows: 1, vocab: 4 }), tolerances.webgpu.kernelVsRef, 'log-softmax');
    expect(() => runLogSoftmax(run, input, { rows: 1, vocab: 4 })).toThrow(/already submitted/);
    input.destroy();
    out.destroy();
  });

  it('submits on its own when given the device', async () => {
    tracker = trackGpu(device);
    const input = createStorageBuffer(device, new Float32Array([0, 0]), 'test.y');
    const out = runLogSoftmax(device, input, { rows: 1, vocab: 2 });
    expect(tracker.submits).toBe(1);
    input.destroy();
    out.destroy();
    await settled(device);
    expect(tracker.aliveLabels()).toEqual([]);
  });
});

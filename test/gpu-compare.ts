import { expect } from 'vitest';
import { createStorageBuffer, readFloat32, readUint32 } from '../packages/core/src/gpu/buffers.js';
import { KernelRunner } from '../packages/core/src/gpu/kernel-runner.js';
import type { Tolerance } from './expect-close.js';
import code from './gpu-compare.wgsl?raw';

/**
 * Compares two f32 GPU buffers element-wise on the GPU with expectClose's rule and reads back
 * only the mismatch count and the first bad index, so that vocabulary-sized outputs are checked
 * without copying them to the CPU. Fails the test with the first bad pair when any mismatch.
 */
export async function expectCloseOnGpu(
  device: GPUDevice,
  actual: GPUBuffer,
  expected: GPUBuffer,
  length: number,
  tol: Tolerance,
  what = 'values',
): Promise<void> {
  const result = createStorageBuffer(device, new Uint32Array([0, 0xffffffff]), 'gpuCompare.result');
  KernelRunner.on(device, 'gpuCompare', (run) => {
    const params = run.uniform([length, { f32: tol.abs }, { f32: tol.rel }], 'gpuCompare.params');
    run.dispatch({ name: 'gpuCompare', code, workgroupSize: 64 }, [params, actual, expected, result], { invocations: length });
  });
  const [count, first] = await readUint32(device, result, 2);
  let detail = '';
  if (count! > 0) {
    const [a] = await readFloat32(device, actual, 1, first!);
    const [e] = await readFloat32(device, expected, 1, first!);
    detail = `; first at [${first}]: ${a} vs ${e}`;
  }
  result.destroy();
  expect(count, `${what}: ${count} of ${length} outside abs ${tol.abs} + rel ${tol.rel}${detail}`).toBe(0);
}

import { expect, test } from '@playwright/test';
import { ask, openDemo, referenceQuestion, SLOW, TINY_A } from './demo-page.js';

// A WebGPU device destroyed in the middle of an answer, inside the demo's worker: that same answer
// completes on WASM (equal to the WASM answer: transformers' text), and the page names the switch.
const cases = [
  { model: 'tiny-a', query: `${TINY_A}&device=webgpu`, question: 'what is del', expected: () => referenceQuestion('what is del').generate_text.token_greedy_len12![0]! },
  // The default model's WASM answer (e2e/world-facts.spec.ts asks it on WASM).
  { model: 'the default model', query: '?device=webgpu', question: 'what is the capital of France?', expected: () => 'Paris' },
];

for (const c of cases) {
test(`device.destroy() mid-answer in the worker (${c.model}): the answer completes on WASM, and the page says so`, async ({ page }) => {
  test.slow();
  await openDemo(page, c.query);
  await expect(page.getByTestId('backend')).toHaveText('webgpu');
  const worker = page.workers().find((w) => w.url().includes('engine-worker'));
  expect(worker, 'the engine worker').toBeDefined();
  // In the worker's realm: remember the device the GPU work uses, and destroy it as onnxruntime
  // starts its third read-back of the coming answer (mid-way through decoding on the fixture
  // model): the read-back fails before GPUDevice.lost has resolved, as when a tab's GPU goes away.
  await worker!.evaluate(() => {
    const scope = self as unknown as { lastDevice?: GPUDevice; reads: number; destroyed: boolean };
    scope.reads = 0;
    scope.destroyed = false;
    const createBuffer = GPUDevice.prototype.createBuffer;
    GPUDevice.prototype.createBuffer = function (this: GPUDevice, descriptor: GPUBufferDescriptor) {
      scope.lastDevice = this;
      return createBuffer.call(this, descriptor);
    };
    const mapAsync = GPUBuffer.prototype.mapAsync;
    GPUBuffer.prototype.mapAsync = function (this: GPUBuffer, ...args: Parameters<GPUBuffer['mapAsync']>) {
      if (++scope.reads === 3 && scope.lastDevice && !scope.destroyed) {
        scope.destroyed = true;
        scope.lastDevice.destroy();
      }
      return mapAsync.apply(this, args);
    };
  });

  await ask(page, c.question);
  expect(await worker!.evaluate(() => (self as unknown as { destroyed: boolean }).destroyed)).toBe(true);
  await expect(page.getByTestId('answer')).toHaveText(c.expected(), SLOW);
  await expect(page.getByTestId('error')).toBeHidden();
  await expect(page.getByTestId('warnings')).toContainText(/WebGPU device lost.*continuing on WASM/);
  await expect(page.getByTestId('backend')).toHaveText('wasm');
});
}

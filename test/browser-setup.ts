// Setup of the WebGPU browser project: every test file fails unless a real adapter exists,
// so a machine without WebGPU can never pass these tests by silently taking a CPU path.
import { beforeAll } from 'vitest';

beforeAll(async () => {
  if (!navigator.gpu) throw new Error('navigator.gpu is undefined: this browser test needs WebGPU');
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() returned null: this browser test needs a WebGPU adapter');
});

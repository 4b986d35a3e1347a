import { beforeAll, describe, expect, it } from 'vitest';
import { CLI_TEST_TIMEOUT, ensureCliBuilt, indexFixture, runCli } from '../test/run-cli.js';

// `rag … --device webgpu`: onnxruntime-web's WebGPU EP and our kernels on Dawn (the `webgpu`
// package), SwiftShader's Vulkan here (the node-webgpu project runs under
// scripts/with-swiftshader-vulkan.sh, whose environment the CLI subprocess inherits).
describe('rag --device webgpu', { timeout: CLI_TEST_TIMEOUT }, () => {
  let kb = '';
  beforeAll(async () => {
    ensureCliBuilt();
    kb = await indexFixture('tiny-a');
  }, CLI_TEST_TIMEOUT);

  it('ask and score answer as on WASM, and name the WebGPU runtime', async () => {
    const ask = (device: string) => runCli(['ask', '--model', 'fixtures/tiny-a/model', '--kb', kb, '--question', 'what is del', '--device', device, '--max-length', '12', '--num-beams', '2']);
    const [gpu, wasm] = [await ask('webgpu'), await ask('wasm')];
    expect(gpu.code, gpu.stderr).toBe(0);
    expect(gpu.stdout.split('\n')[0]).toBe('model fixtures/tiny-a/model (RAG-Token) on onnxruntime-web 1.30 (WebGPU, Dawn)');
    expect(gpu.stdout.split('\n').slice(1)).toEqual(wasm.stdout.split('\n').slice(1));
    const score = (device: string) => runCli(['score', '--model', 'fixtures/tiny-a/model', '--kb', kb, '--question', 'what is del', '--answer', 'del', '--rag', 'sequence', '--device', device]);
    const [gpuScore, wasmScore] = [await score('webgpu'), await score('wasm')];
    expect(gpuScore.code, gpuScore.stderr).toBe(0);
    const loss = (out: string) => Number(/loss: (\d+\.\d+)/.exec(out)![1]);
    expect(Math.abs(loss(gpuScore.stdout) - loss(wasmScore.stdout))).toBeLessThan(1e-4 * loss(wasmScore.stdout));
  });
});

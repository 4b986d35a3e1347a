import { expect, test } from '@playwright/test';
import { openDemo, SLOW, TINY_A } from './demo-page.js';

test('the demo runs its model on WebGPU (SwiftShader) when asked for it, in a cross-origin isolated page', async ({ page }) => {
  await openDemo(page, `${TINY_A}&device=webgpu`);
  await expect(page.getByTestId('backend')).toHaveText('webgpu');
  await expect(page.getByTestId('adapter')).toContainText('swiftshader');
  await expect(page.getByTestId('isolated')).toHaveText('true');
  await expect(page.getByTestId('warnings')).toBeEmpty();
});

test('auto does not take a software adapter: on SwiftShader the demo runs on WASM', async ({ page }) => {
  await openDemo(page, `${TINY_A}&device=auto`);
  await expect(page.getByTestId('adapter')).toContainText('swiftshader (software)');
  await expect(page.getByTestId('backend')).toHaveText('wasm');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-state', 'ok');
  await expect(page.getByTestId('warnings')).toBeEmpty();
});

test('with WebGPU disabled the demo falls back to WASM @no-webgpu', async ({ page }) => {
  await openDemo(page, TINY_A);
  await expect(page.getByTestId('backend')).toHaveText('wasm');
  await expect(page.getByTestId('adapter')).toContainText('none');
  await expect(page.getByTestId('isolated')).toHaveText('true');
});

test('asking for WebGPU where there is none runs on WASM and says so @no-webgpu', async ({ page }) => {
  await page.goto(`/${TINY_A}&device=webgpu`);
  await expect(page.getByTestId('model-progress-label')).toHaveText(/^Ready on wasm/, SLOW);
  await expect(page.getByTestId('backend')).toHaveText('wasm');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-state', 'warn');
  await expect(page.getByTestId('warning')).toContainText(/falling back to WASM/);
});

test('a model URL that is not a model folder fails with the typed error, rebuilt on the page @no-webgpu', async ({ page }) => {
  await page.goto('/?model=/models/none');
  await expect(page.getByTestId('model-progress-label')).toHaveText('Loading failed.', SLOW);
  // The hint is chosen by `instanceof ModelLoadError` on the UI thread: the worker's error kept its
  // class (ModelFileNotFoundError, a ModelLoadError).
  await expect(page.getByTestId('error')).toHaveAttribute('data-error-name', 'ModelFileNotFoundError');
  await expect(page.getByTestId('error')).toContainText('config.json');
  await expect(page.getByTestId('error')).toContainText('Check the model URL');
  await expect(page.getByTestId('ask')).toBeDisabled();
});

test('the ONNX runtime, the default model and the knowledge base are served by the app itself', async ({ request }) => {
  // The service worker precaches every built file but the models: the one ORT .wasm the WebGPU
  // build loads is there, emitted by the build next to ORT's module, and no other variant.
  const built = (await (await request.get('/sw.js')).text()).match(/\/\*precache\*\/(.*)\/\*end\*\//)![1]!;
  const wasm = (JSON.parse(built) as { urls: string[] }).urls.filter((u) => u.endsWith('.wasm'));
  expect(wasm).toEqual([expect.stringMatching(/^\/assets\/ort-wasm-simd-threaded\.asyncify-[\w-]+\.wasm$/)]);
  const res = await request.get(wasm[0]!);
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toBe('application/wasm');
  for (const file of ['config.json', 'generator_tokenizer/tokenizer.json', 'onnx/decoder_model.onnx', 'onnx/decoder_model_quantized.onnx']) {
    expect((await request.get(`/models/tiny-a/${file}`)).status(), file).toBe(200);
  }
  // Only the offered dtypes (fp32, q8) are shipped.
  expect((await request.get('/models/tiny-a/onnx/decoder_model_fp16.onnx')).status()).toBe(404);
  expect((await request.get('/kb/tiny-a/manifest.json')).status()).toBe(200);
  const sw = await (await request.get('/sw.js')).text();
  expect(sw).toMatch(/"version":"[0-9a-f]{16}"/);
});

import { expect, test } from '@playwright/test';

test('the demo reports WebGPU on SwiftShader and its shader matches the TS reference', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('backend')).toHaveText('webgpu');
  await expect(page.getByTestId('adapter')).toContainText('swiftshader');
  await expect(page.getByTestId('isolated')).toHaveText('true');
  await expect(page.getByTestId('kernel')).toHaveText(/^match: GPU /, { timeout: 60_000 });
  await page.screenshot({ path: 'artifacts/e2e/backend-webgpu.png', fullPage: true });
});

test('with WebGPU disabled the demo falls back to the WASM/CPU path @no-webgpu', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('backend')).toHaveText('wasm');
  await expect(page.getByTestId('kernel')).toHaveText(/^CPU reference only/);
});

test('the ONNX runtime files are served by the app itself', async ({ request }) => {
  for (const file of ['ort-wasm-simd-threaded.asyncify.wasm', 'ort-wasm-simd-threaded.wasm']) {
    const res = await request.get(`/ort/${file}`);
    expect(res.status(), file).toBe(200);
    expect(res.headers()['content-type']).toBe('application/wasm');
  }
});

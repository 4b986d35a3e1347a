import { defineConfig } from '@playwright/test';
import { chromiumExecutable, chromiumNoWebGpuArgs, chromiumWebGpuArgs } from '../test/chromium.js';

// End-to-end tests against the built demo (dist/demo) served by `vite preview`.
// Not the demo's 4173, so that `npm test` runs while `npm run demo` is serving.
const port = 4183;

export default defineConfig({
  testDir: '.',
  outputDir: '../artifacts/e2e',
  timeout: 120_000,
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  use: { baseURL: `http://localhost:${port}` },
  webServer: {
    command: `pnpm exec vite preview --port ${port} --strictPort`,
    cwd: '..',
    url: `http://localhost:${port}`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
  projects: [
    {
      name: 'webgpu',
      use: { launchOptions: { executablePath: chromiumExecutable, args: chromiumWebGpuArgs } },
      grepInvert: /@no-webgpu/,
    },
    {
      name: 'no-webgpu',
      use: { launchOptions: { executablePath: chromiumExecutable, args: chromiumNoWebGpuArgs } },
      grep: /@no-webgpu/,
    },
  ],
});

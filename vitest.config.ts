import { playwright } from '@vitest/browser-playwright';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { chromiumExecutable, chromiumNoWebGpuArgs, chromiumWebGpuArgs } from './test/chromium.js';
import { crossOriginIsolationHeaders, ragWebVite } from './packages/models/src/vite-plugin.js';

// Workspace packages resolve to their TypeScript sources (the `source` export condition), in
// Node (SSR conditions) and in the browser alike, so tests never run a stale dist/.
const sourceCondition = {
  resolve: { conditions: ['source', ...defaultClientConditions] },
  ssr: { resolve: { conditions: ['source', ...defaultServerConditions], externalConditions: ['source'] } },
};

// Four layers: `unit` (Node), `node-webgpu` (Node on Dawn's WebGPU), `browser` (Chromium + WebGPU on SwiftShader) and
// `browser-no-webgpu` (Chromium with WebGPU disabled: the WASM fallback). The e2e layer is
// Playwright's own runner (e2e/playwright.config.ts).
export default defineConfig({
  test: {
    projects: [
      {
        ...sourceCondition,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['packages/*/src/**/*.test.ts', 'demo/src/**/*.test.ts', 'bench/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/*.browser.test.ts', '**/*.no-webgpu.test.ts', '**/*.node-webgpu.test.ts', '**/node_modules/**'],
        },
      },
      {
        ...sourceCondition,
        test: {
          // WebGPU in Node (Dawn), on SwiftShader's Vulkan: run through scripts/with-swiftshader-vulkan.sh.
          name: 'node-webgpu',
          environment: 'node',
          include: ['packages/*/src/**/*.node-webgpu.test.ts'],
          pool: 'forks',
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        ...sourceCondition,
        server: { headers: crossOriginIsolationHeaders },
        plugins: [ragWebVite()],
        // Every dependency is ESM already; discovering one mid-run would reload the test page.
        optimizeDeps: { noDiscovery: true },
        test: {
          name: 'browser',
          include: ['packages/*/src/**/*.browser.test.ts'],
          setupFiles: ['test/browser-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: { executablePath: chromiumExecutable, args: chromiumWebGpuArgs } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        ...sourceCondition,
        server: { headers: crossOriginIsolationHeaders },
        plugins: [ragWebVite()],
        // Every dependency is ESM already; discovering one mid-run would reload the test page.
        optimizeDeps: { noDiscovery: true },
        test: {
          name: 'browser-no-webgpu',
          include: ['packages/*/src/**/*.no-webgpu.test.ts'],
          setupFiles: ['test/no-webgpu-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: { executablePath: chromiumExecutable, args: chromiumNoWebGpuArgs } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});

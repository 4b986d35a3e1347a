// The one place that knows how to launch Debian's Chromium headless with WebGPU on
// SwiftShader (CPU), shared by the vitest browser projects and the Playwright e2e config.
export const chromiumExecutable = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const common = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export const chromiumWebGpuArgs = [
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  '--use-webgpu-adapter=swiftshader',
  ...common,
];

/** For the WASM-fallback tests: navigator.gpu yields no adapter. */
export const chromiumNoWebGpuArgs = ['--disable-webgpu', ...common];

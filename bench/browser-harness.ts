/**
 * What every benchmark runner shares: serve the repository with a Vite dev server under its
 * conventions (the `source` resolve condition, COOP/COEP headers, localhost, no HMR so editing
 * a source cannot reload a long run), open one bench page in headless Chromium with
 * test/chromium.ts's flags, wait for the page to publish `window[resultKey]` (or
 * `window[errorKey]`), and return it.
 */
import { chromium, type ConsoleMessage } from 'playwright';
import { createServer, defaultClientConditions, type PluginOption } from 'vite';
import { chromiumExecutable, chromiumWebGpuArgs } from '../test/chromium.js';
import { crossOriginIsolationHeaders } from '../vite.config.js';

const repoRoot = new URL('..', import.meta.url).pathname;

export interface BenchPage {
  /** Path from the repository root, with its query string. */
  path: string;
  resultKey: string;
  errorKey: string;
  timeoutMs: number;
  /** Chromium flags; default: WebGPU on SwiftShader. */
  chromiumArgs?: string[];
  /** Page console lines of these types are echoed to stdout (errors and warnings always go to stderr). */
  echo?: Array<ReturnType<ConsoleMessage['type']>>;
  /** Vite plugins for the page's server (e.g. onnxRuntimeAssets, for pages that run ONNX Runtime). */
  plugins?: PluginOption[];
}

export async function runBenchPage<T>(spec: BenchPage): Promise<T> {
  const server = await createServer({
    configFile: false,
    root: repoRoot,
    logLevel: 'warn',
    plugins: spec.plugins ?? [],
    resolve: { conditions: ['source', ...defaultClientConditions] },
    // The pages import only our own sources: skip scanning the repository for dependencies.
    optimizeDeps: { noDiscovery: true, include: [] },
    server: { host: 'localhost', port: 0, headers: crossOriginIsolationHeaders, hmr: false, watch: null },
  });
  const browser = await chromium.launch({ executablePath: chromiumExecutable, args: spec.chromiumArgs ?? chromiumWebGpuArgs, headless: true });
  try {
    await server.listen();
    const base = server.resolvedUrls?.local[0];
    if (!base) throw new Error('the Vite dev server reported no local URL');
    const page = await browser.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') console.error(`[page ${msg.type()}] ${msg.text()}`);
      else if (spec.echo?.includes(msg.type())) console.log(`  ${msg.text()}`);
    });
    await page.goto(new URL(spec.path, base).href);
    const keys = [spec.resultKey, spec.errorKey] as const;
    await page.waitForFunction(([r, e]) => (window as unknown as Record<string, unknown>)[r] !== undefined || (window as unknown as Record<string, unknown>)[e] !== undefined, keys, {
      timeout: spec.timeoutMs,
      polling: 500,
    });
    const { result, error } = await page.evaluate(([r, e]) => {
      const w = window as unknown as Record<string, unknown>;
      return { result: w[r], error: w[e] };
    }, keys);
    if (result === undefined) throw new Error(`the bench page failed: ${String(error)}`);
    return result as T;
  } finally {
    await browser.close();
    await server.close();
  }
}

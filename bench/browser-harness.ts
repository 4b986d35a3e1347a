/**
 * What every benchmark runner shares: serve the repository with a Vite dev server under its
 * conventions (the `source` resolve condition, COOP/COEP headers, localhost, no HMR so editing
 * a source cannot reload a long run), open one bench page in headless Chromium with
 * test/chromium.ts's flags, wait for the page to publish `window[resultKey]` (or
 * `window[errorKey]`), and return it (with the browser's peak memory, for runBenchPages).
 */
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type ConsoleMessage, type Page } from 'playwright';
import { createServer, defaultClientConditions, type Plugin, type PluginOption } from 'vite';
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
  /** Vite plugins for the page's server (e.g. ragWebVite, for pages that run ONNX Runtime). */
  plugins?: PluginOption[];
}

export async function runBenchPage<T>(spec: BenchPage): Promise<T> {
  const [first] = await runBenchPages<T>({ ...spec, paths: [spec.path] });
  return first!.result;
}

/**
 * The pages of `paths` one after the other in one tab (one browser context: Cache Storage and
 * IndexedDB carry over from one to the next), each with the peak resident memory of the
 * Chromium processes while it ran (the browser, its renderers, its GPU process; sampled every 200 ms).
 */
export async function runBenchPages<T>(spec: Omit<BenchPage, 'path'> & { paths: string[]; warmUp?: string }): Promise<Array<{ result: T; peakRssBytes: number }>> {
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
    if (spec.warmUp) {
      // A throwaway context first: the dev server transforms every module once, outside the measured pages.
      const context = await browser.newContext();
      await waitForResult((await context.newPage()), new URL(spec.warmUp, base).href, spec);
      await context.close();
    }
    const page = await browser.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') console.error(`[page ${msg.type()}] ${msg.text()}`);
      else if (spec.echo?.includes(msg.type())) console.log(`  ${msg.text()}`);
    });
    const results: Array<{ result: T; peakRssBytes: number }> = [];
    for (const path of spec.paths) {
      let peakRssBytes = chromiumRssBytes();
      const sampler = setInterval(() => (peakRssBytes = Math.max(peakRssBytes, chromiumRssBytes())), 200);
      try {
        const result = await waitForResult<T>(page, new URL(path, base).href, spec);
        results.push({ result, peakRssBytes: Math.max(peakRssBytes, chromiumRssBytes()) });
      } finally {
        clearInterval(sampler);
      }
    }
    return results;
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Opens `url` and waits for the page to publish its result or its error. */
async function waitForResult<T>(page: Page, url: string, spec: Pick<BenchPage, 'resultKey' | 'errorKey' | 'timeoutMs'>): Promise<T> {
  await page.goto(url);
  const keys = [spec.resultKey, spec.errorKey] as const;
  await page.waitForFunction(([r, e]) => (window as unknown as Record<string, unknown>)[r] !== undefined || (window as unknown as Record<string, unknown>)[e] !== undefined, keys, {
    timeout: spec.timeoutMs,
    polling: 500,
  });
  const { result, error } = await page.evaluate(([r, e]) => {
    const w = window as unknown as Record<string, unknown>;
    return { result: w[r], error: w[e] };
  }, keys);
  if (result === undefined) throw new Error(`the bench page ${url} failed: ${String(error)}`);
  return result as T;
}

/**
 * Resident bytes now of the Chromium this process launched (the browser, its renderers, its GPU
 * process: every descendant of this process whose name starts with "chrom"); Linux /proc, 0 elsewhere.
 */
function chromiumRssBytes(): number {
  if (!existsSync('/proc/self/status')) return 0;
  const status = new Map<number, string>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      status.set(Number(pid), readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  const field = (text: string, name: string) => new RegExp(`^${name}:\\s+(\\S+)`, 'm').exec(text)?.[1];
  const ours = new Set([process.pid]);
  // Parents come before children often but not always: repeat until nothing new joins.
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, text] of status) {
      if (!ours.has(pid) && ours.has(Number(field(text, 'PPid')))) grew = ours.add(pid).size > 0;
    }
  }
  let total = 0;
  for (const pid of ours) {
    const text = status.get(pid);
    if (text && field(text, 'Name')?.startsWith('chrom')) total += Number(field(text, 'VmRSS') ?? 0) * 1024;
  }
  return total;
}

/** Serves the files of `dir` under the URL prefix (GET and HEAD, with Content-Length), for folders outside the repository. */
export function serveFolder(prefix: string, dir: string): Plugin {
  return {
    name: 'bench-serve-folder',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = req.url?.split('?')[0] ?? '';
        if (!path.startsWith(prefix)) return next();
        const file = resolve(dir, decodeURIComponent(path.slice(prefix.length)));
        if (!file.startsWith(resolve(dir)) || !existsSync(file) || !statSync(file).isFile()) {
          res.statusCode = 404;
          return res.end();
        }
        res.setHeader('Content-Length', statSync(file).size);
        res.setHeader('Content-Type', file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        if (req.method === 'HEAD') return res.end();
        createReadStream(file).pipe(res);
      });
    },
  };
}

/** Serves one JSON value at `path`. */
export function serveJson(path: string, value: unknown): Plugin {
  return {
    name: 'bench-serve-json',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (req.url?.split('?')[0] !== path) return next();
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(value));
      });
    },
  };
}

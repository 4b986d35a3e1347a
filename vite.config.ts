// Serves and builds the demo (demo/ → dist/demo) with cross-origin isolation, ships
// onnxruntime-web's WASM runtime files and the default model with the app so nothing is fetched
// from a CDN, and stamps the service worker with the list of files it precaches.
import type { ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const root = dirname(fileURLToPath(import.meta.url));

/** COOP/COEP: SharedArrayBuffer, hence onnxruntime-web's multi-threaded WASM, needs both. */
export const crossOriginIsolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** URL path under which the ORT runtime files are served; the models package reads it from here. */
export const ortAssetsPath = '/ort/';

function ortDistDir(): string {
  // onnxruntime-web is a dependency of @rag-web/models, not of the root: resolve it from there.
  const requireFromModels = createRequire(join(root, 'packages/models/package.json'));
  return join(dirname(requireFromModels.resolve('onnxruntime-web')), '.');
}

function ortRuntimeFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => /^ort-wasm-simd-threaded(\.asyncify)?\.(wasm|mjs)$/.test(f));
}

/** Serves (dev/preview) and emits (build) the WASM runtimes of the WebGPU (asyncify) and plain WASM builds under /ort/. */
export function onnxRuntimeAssets(): Plugin {
  let dir = '';
  const serve = (req: { url?: string }, res: ServerResponse, next: () => void): void => {
    const name = req.url?.startsWith(ortAssetsPath) ? req.url.slice(ortAssetsPath.length).split('?')[0] : undefined;
    const file = name ? join(dir, name) : '';
    if (!name || !ortRuntimeFiles(dir).includes(name) || !existsSync(file)) return next();
    res.setHeader('Content-Type', name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
    // Vite's server.headers skip middleware responses; ORT starts its threads from the .mjs, and a
    // worker script in a cross-origin isolated page must carry COEP itself.
    for (const [k, v] of Object.entries(crossOriginIsolationHeaders)) res.setHeader(k, v);
    createReadStream(file).pipe(res);
  };
  return {
    name: 'onnxruntime-web-assets',
    configResolved() {
      dir = ortDistDir();
    },
    configureServer(server) {
      server.middlewares.use(serve);
    },
    generateBundle() {
      for (const fileName of ortRuntimeFiles(dir)) {
        this.emitFile({ type: 'asset', fileName: `ort/${fileName}`, source: readFileSync(join(dir, fileName)) });
      }
    },
  };
}

/** The model-layout contract (packages/models/src/layout/layouts.json): here, its dtype suffixes. */
const layouts = JSON.parse(readFileSync(join(root, 'packages/models/src/layout/layouts.json'), 'utf8')) as { dtypeSuffix: Record<string, string> };
type DtypeName = 'fp32' | 'fp16' | 'q8' | 'q4';

/** A model folder served (dev) and emitted (build) under a URL path, without copying it into public/. */
export interface ServedModel {
  urlPath: string;
  dir: string;
  /** Weight formats the demo offers; only their ONNX files are served. */
  dtypes: DtypeName[];
}

/** The demo's default model: the tiny fixture, trained to answer "what is <topic>" questions. */
export const demoModels: ServedModel[] = [{ urlPath: '/models/tiny-a/', dir: 'fixtures/tiny-a/model', dtypes: ['fp32', 'q8'] }];

/** The dtype of an ONNX file, by its suffix (`_quantized` → q8; none → fp32). */
function onnxDtype(file: string): string {
  const stem = file.slice(0, -'.onnx'.length);
  const match = Object.entries(layouts.dtypeSuffix)
    .filter(([, suffix]) => suffix !== '' && stem.endsWith(suffix))
    .sort((a, b) => b[1].length - a[1].length)[0];
  return match ? match[0] : 'fp32';
}

/** The files of the folder's manifest.json (and the manifest), ONNX files only for the given dtypes. */
function modelFiles(model: ServedModel): string[] {
  const manifest = JSON.parse(readFileSync(join(root, model.dir, 'manifest.json'), 'utf8')) as { files: Record<string, unknown> };
  const wanted = (f: string) => !f.endsWith('.onnx') || (model.dtypes as string[]).includes(onnxDtype(f));
  return ['manifest.json', ...Object.keys(manifest.files).filter(wanted)];
}

/** Serves (dev) and emits (build, hence preview) the demo's model folders at their URL paths. */
export function modelAssets(models: ServedModel[] = demoModels): Plugin {
  const serve = (req: { url?: string }, res: ServerResponse, next: () => void): void => {
    const path = req.url?.split('?')[0] ?? '';
    const model = models.find((m) => path.startsWith(m.urlPath));
    const name = model ? path.slice(model.urlPath.length) : '';
    if (!model || !modelFiles(model).includes(name)) return next();
    const file = join(root, model.dir, name);
    res.setHeader('Content-Type', name.endsWith('.json') ? 'application/json' : 'application/octet-stream');
    // The loader sizes its progress bar from the manifest, or a HEAD request where there is none.
    res.setHeader('Content-Length', String(statSync(file).size));
    for (const [k, v] of Object.entries(crossOriginIsolationHeaders)) res.setHeader(k, v);
    if ((req as { method?: string }).method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  };
  return {
    name: 'rag-web-model-assets',
    configureServer(server) {
      server.middlewares.use(serve);
    },
    generateBundle() {
      for (const model of models) {
        for (const name of modelFiles(model)) {
          this.emitFile({ type: 'asset', fileName: `${model.urlPath.slice(1)}${name}`, source: readFileSync(join(root, model.dir, name)) });
        }
      }
    },
  };
}

/** Where public/sw.js keeps its precache list; the build replaces the marked literal. */
const PRECACHE_MARKER = /\/\*precache\*\/[^\n]*\/\*end\*\//;

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

/**
 * Writes into the built sw.js the app shell it precaches (every built file but the models, which
 * the models package keeps in Cache Storage itself, and the ORT runtime the browser build does
 * not load) and a version hashed from their contents, so every build installs a fresh cache.
 */
export function serviceWorkerPrecache(): Plugin {
  let outDir = '';
  return {
    name: 'rag-web-sw-precache',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const swPath = join(outDir, 'sw.js');
      if (!existsSync(swPath)) return;
      const wanted = (f: string) =>
        f !== 'sw.js' && !f.endsWith('.map') && !f.startsWith('models/') && (!f.startsWith('ort/') || f.includes('.asyncify.')) && !/^assets\/.*\.wasm$/.test(f);
      const files = listFiles(outDir).filter(wanted).sort();
      const hash = createHash('sha256');
      for (const f of files) hash.update(f).update(readFileSync(join(outDir, f)));
      const precache = { version: hash.digest('hex').slice(0, 16), urls: ['/', ...files.map((f) => `/${f}`)] };
      const sw = readFileSync(swPath, 'utf8');
      if (!PRECACHE_MARKER.test(sw)) throw new Error('sw.js: the /*precache*/ … /*end*/ literal is missing');
      writeFileSync(swPath, sw.replace(PRECACHE_MARKER, `/*precache*/ ${JSON.stringify(precache)} /*end*/`));
    },
  };
}

export default defineConfig({
  root: resolve(root, 'demo'),
  publicDir: resolve(root, 'public'),
  // One page and no client routes: a missing file is a 404, not index.html (a model folder
  // without, say, a context encoder must read as "not found", not as HTML).
  appType: 'mpa',
  // `onnxruntime-web-use-extern-wasm`: ORT's build that loads its runtime from /ort/ (wasmPaths)
  // rather than one that makes the bundler copy 55 MB of .wasm into assets/ as well.
  resolve: { conditions: ['source', 'onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  // keepNames: the packages' errors take their `name` from their class (`new.target.name`), and
  // the worker protocol rebuilds them by that name; minified class names would lose both.
  worker: { format: 'es', rolldownOptions: { output: { keepNames: true } } },
  plugins: [onnxRuntimeAssets(), modelAssets(), serviceWorkerPrecache()],
  build: {
    outDir: resolve(root, 'dist/demo'),
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: { output: { keepNames: true } },
    // hnswlib-wasm's chunk (its WASM inlined) is ~700 kB; the ORT runtime is served from /ort/.
    chunkSizeWarningLimit: 1024,
  },
  server: { headers: crossOriginIsolationHeaders, host: 'localhost' },
  preview: { headers: crossOriginIsolationHeaders, host: 'localhost', port: 4173, strictPort: true },
});

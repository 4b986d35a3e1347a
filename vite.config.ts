// Serves and builds the demo (demo/ → dist/demo) with cross-origin isolation, ships the default
// model with the app so nothing is fetched from a CDN, and stamps the service worker with the list
// of files it precaches. onnxruntime-web's runtime files need nothing here: the build copies the
// one it loads (ragWebVite, as any app using @rag-web/models would).
import type { ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';
import { crossOriginIsolationHeaders, ragWebVite } from './packages/models/src/vite-plugin.js';

export { crossOriginIsolationHeaders };

const root = dirname(fileURLToPath(import.meta.url));

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
 * the models package keeps in Cache Storage itself; ORT's .wasm included) and a version hashed
 * from their contents, so every build installs a fresh cache.
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
      const wanted = (f: string) => f !== 'sw.js' && !f.endsWith('.map') && !f.startsWith('models/');
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
  resolve: { conditions: ['source', ...defaultClientConditions] },
  // keepNames: the packages' errors take their `name` from their class (`new.target.name`), and
  // the worker protocol rebuilds them by that name; minified class names would lose both.
  worker: { format: 'es', rolldownOptions: { output: { keepNames: true } } },
  plugins: [ragWebVite({ crossOriginIsolation: true }), modelAssets(), serviceWorkerPrecache()],
  build: {
    outDir: resolve(root, 'dist/demo'),
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: { output: { keepNames: true } },
    // hnswlib-wasm's chunk (its WASM inlined) is ~700 kB; ORT's .wasm is a separate asset.
    chunkSizeWarningLimit: 1024,
  },
  server: { host: 'localhost' },
  preview: { host: 'localhost', port: 4173, strictPort: true },
});

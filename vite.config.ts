// Serves and builds the demo (demo/ → dist/demo) with cross-origin isolation, and ships
// onnxruntime-web's WASM runtime files with the app so nothing is fetched from a CDN.
import type { ServerResponse } from 'node:http';
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
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

export default defineConfig({
  root: resolve(root, 'demo'),
  publicDir: resolve(root, 'public'),
  resolve: { conditions: ['source', ...defaultClientConditions] },
  worker: { format: 'es' },
  plugins: [onnxRuntimeAssets()],
  build: {
    outDir: resolve(root, 'dist/demo'),
    emptyOutDir: true,
    target: 'es2022',
  },
  server: { headers: crossOriginIsolationHeaders, host: 'localhost' },
  preview: { headers: crossOriginIsolationHeaders, host: 'localhost', port: 4173, strictPort: true },
});

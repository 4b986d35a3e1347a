// A production `vite build` of the smallest app using @rag-web/models' built dist (as installed:
// no `source` condition), its model loaded in the page and in a module worker. Catches a browser
// bundle that reaches Node's modules (`node:fs`, …: Vite stubs them with a warning, esbuild fails)
// and ORT runtime files copied that the app never loads (every .wasm variant: 141 MB).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, createLogger, type Rolldown } from 'vite';
import { afterAll, expect, it } from 'vitest';
import { ensureCliBuilt, repoRoot } from '../../cli/test/run-cli.js';
import { ragWebVite } from './vite-plugin.js';

const LOAD = `import { RagTokenForGeneration } from '@rag-web/models';
const model = await RagTokenForGeneration.fromPretrained('/models/rag', { device: 'auto' });
console.log(model.rag.device);
`;

const dir = mkdtempSync(join(tmpdir(), 'rag-web-app-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a production vite build of an app has no node: module and emits only the ORT .wasm it loads', async () => {
  ensureCliBuilt(); // every package's dist, when missing or stale
  mkdirSync(join(dir, 'node_modules/@rag-web'), { recursive: true });
  for (const p of ['core', 'models']) symlinkSync(join(repoRoot, 'packages', p), join(dir, 'node_modules/@rag-web', p), 'dir');
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>\n');
  writeFileSync(join(dir, 'main.js'), `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });\n${LOAD}`);
  writeFileSync(join(dir, 'worker.js'), LOAD);

  const warnings: string[] = [];
  const logger = createLogger('silent');
  logger.warn = (msg) => void warnings.push(msg);
  const output = (await build({
    configFile: false,
    root: dir,
    customLogger: logger,
    logLevel: 'warn',
    plugins: [ragWebVite()],
    worker: { format: 'es' },
    build: { outDir: join(dir, 'dist'), target: 'es2022', rolldownOptions: { onwarn: (w) => void warnings.push(w.message) } },
  })) as Rolldown.RolldownOutput;

  const modules = output.output.flatMap((c) => (c.type === 'chunk' ? c.moduleIds : []));
  expect(modules.filter((id) => /node:|__vite-browser-external/.test(id))).toEqual([]);
  expect(warnings.filter((w) => /node:|browser compatibility/.test(w))).toEqual([]);
  // onnxruntime-web's WebGPU build (asyncify) is the one loaded in browsers, in the page and in the
  // worker alike; the plain build's jsep, jspi and threaded-only variants are not.
  const wasm = readdirSync(join(dir, 'dist/assets')).filter((f) => f.endsWith('.wasm'));
  expect(wasm.map((f) => f.replace(/-[\w-]{8}\.wasm$/, '.wasm'))).toEqual(['ort-wasm-simd-threaded.asyncify.wasm']);
}, 240_000);

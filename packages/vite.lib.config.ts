// Shared library build for every workspace package: run from the package folder.
// Vite (not tsc) emits the JavaScript so that `*.wgsl?raw` shader imports are inlined;
// tsc emits only the declarations.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const packageDir = process.cwd();

export default defineConfig({
  build: {
    outDir: resolve(packageDir, 'dist'),
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    target: 'es2022',
    lib: {
      entry: resolve(packageDir, 'src/index.ts'),
      formats: ['es'],
      fileName: 'index',
    },
    rolldownOptions: {
      // Dependencies (ours and third-party) stay imports; the consumer's bundler resolves them.
      external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
    },
  },
});

// Shared library build for every workspace package: run from the package folder.
// Vite (not tsc) emits the JavaScript so that `*.wgsl?raw` shader imports are inlined;
// tsc emits only the declarations.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const packageDir = process.cwd();

type Target = string | null | { [condition: string]: Target };

/**
 * Every entry point the package.json names in "exports" and "imports" (e.g. a `node`-only
 * module): its built path under dist/ (without `.js`) → its `source` file.
 */
function entries(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(resolve(packageDir, 'package.json'), 'utf8')) as { exports?: Target; imports?: Target };
  const found: Record<string, string> = {};
  const visit = (target: Target | undefined): void => {
    if (!target || typeof target !== 'object') return;
    const built = target.import ?? target.default;
    if (typeof target.source === 'string' && typeof built === 'string') {
      found[built.replace(/^\.\/dist\//, '').replace(/\.js$/, '')] = resolve(packageDir, target.source);
    }
    Object.values(target).forEach(visit);
  };
  visit(pkg.exports);
  visit(pkg.imports);
  return found;
}

export default defineConfig({
  build: {
    outDir: resolve(packageDir, 'dist'),
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    target: 'es2022',
    lib: {
      entry: entries(),
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rolldownOptions: {
      // Dependencies (ours and third-party) and `#` imports stay imports: the consumer's bundler
      // (or Node) resolves them, with its own conditions.
      external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
    },
  },
});

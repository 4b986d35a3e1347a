// The CLI's build: the shared library build (packages/vite.lib.config.ts: ES module, every
// bare import external) with the bin as entry, a Node target, the shebang line and the version.
import { readFileSync } from 'node:fs';
import { mergeConfig } from 'vite';
import libConfig from '../vite.lib.config.js';

const { version } = JSON.parse(readFileSync(new URL('package.json', import.meta.url), 'utf8')) as { version: string };

export default mergeConfig(libConfig, {
  define: { __RAG_CLI_VERSION__: JSON.stringify(version) },
  build: {
    target: 'node20',
    lib: { entry: 'src/rag.ts', fileName: 'rag' },
    rolldownOptions: { output: { banner: '#!/usr/bin/env node' } },
  },
});

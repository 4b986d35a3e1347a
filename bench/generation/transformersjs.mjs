// One system of the generation bench in its own process (bench/generation/transformersjs.ts), through
// Vite's module runner: Node 20 cannot strip types.
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

await runnerImport(fileURLToPath(new URL('./transformersjs.ts', import.meta.url)));

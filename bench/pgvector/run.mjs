// `pnpm bench:pgvector`: Node 20 cannot run TypeScript itself, so Vite's module runner loads
// bench/pgvector/run.ts, which does the work.
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

await runnerImport(fileURLToPath(new URL('./run.ts', import.meta.url)));

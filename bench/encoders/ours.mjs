// One system of the encoder bench in its own process (bench/encoders/ours.ts), through Vite's
// module runner: Node 20 cannot strip types.
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

await runnerImport(fileURLToPath(new URL('./ours.ts', import.meta.url)));

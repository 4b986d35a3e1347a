/**
 * `pnpm bench:chart RESULTS.json [MORE.json ...]`: the chart of each suite's results JSON, written
 * beside it as the same name with .png (bench/results/generation-2core-base-fp32.json →
 * bench/results/generation-2core-base-fp32.png). Suites call png.ts's writeChart themselves at the end
 * of a run; this re-draws committed results.
 *
 * Node 20 cannot strip types: bench/chart/run.mjs loads this file through Vite's module runner.
 */
import { resolve } from 'node:path';
import { writeChart } from './png.js';

const files = process.argv.slice(2);
if (files.length === 0) throw new Error('usage: pnpm bench:chart RESULTS.json [MORE.json ...]');
for (const file of files) console.error(`[bench:chart] wrote ${await writeChart(resolve(file))}`);

// `pnpm bench:all --models DIR [--sizes base,large] [--python python3]`: every suite, one after the
// other on one quiet machine, each writing its results JSON and PNG under bench/results/.
// Builds the random-weight real-size models first when DIR does not have them (tools/bench_models.py).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const models = arg('models');
if (!models) throw new Error('--models DIR is required: where tools/bench_models.py writes (or wrote) the benchmark models');
const python = arg('python', 'python3');
const sizes = arg('sizes', 'base,large').split(',');
const run = (file, args) => {
  console.error(`[bench:all] node ${file} ${args.join(' ')}`);
  execFileSync(process.execPath, [file, ...args], { stdio: 'inherit' });
};

const missing = sizes.filter((size) => !existsSync(join(models, size, 'model', 'rag.json')));
if (missing.length) execFileSync(python, ['tools/bench_models.py', models, '--sizes', ...missing], { stdio: 'inherit' });
run('bench/run.mjs', []);
run('bench/encoders/run.mjs', ['--models', models, '--sizes', 'base', '--python', python]);
for (const dtype of ['fp32', 'q8']) {
  run('bench/generation/run.mjs', ['--models', models, '--sizes', sizes.join(','), '--dtype', dtype, '--python', python,
    '--systems', 'transformers,cpu,wasm,transformersjs,transformersjs-wasm']);
}
run('bench/retriever/run.mjs', ['--data', 'lowrank', '--n', '100000']);

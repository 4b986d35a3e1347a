/**
 * The generation bench: the same random contexts (the model's n_docs × 300 tokens) through transformers
 * (torch CPU) and through this project on onnxruntime-node and on WASM, each system in its own
 * process, one after the other on one machine; then the ratios.
 *
 *   pnpm bench:generation --models DIR [--sizes base,large] [--dtype fp32] [--systems transformers,cpu,wasm]
 *                         (also webgpu: ours in Node on Dawn, the machine's GPU — on a machine
 *                          without one, run under scripts/with-swiftshader-vulkan.sh;
 *                          transformersjs, transformersjs-wasm: bench/generation/transformersjs.ts;
 *                          chromium-wasm, chromium-webgpu, chromium-webgpu-readback: bench/generation/page.ts)
 *                         [--threads 2] [--repeats 3] [--context-length 300] [--python python3] [--out bench/results]
 *                         [--torch-device cpu|cuda] [--torch-dtype float32|float16]
 *
 * One results file per size: OUT/generation-<cores>core-<size>-<dtype>.{json,png}.
 *
 * DIR is what tools/bench_models.py wrote (DIR/<size>/model: the transformers.js layout, which the
 * transformers.js loop reads; DIR/<size>/rag: this project's RAG folder of the same weights, which
 * ours reads; DIR/<size>/hf/rag-token: transformers' checkpoint). Per
 * scenario each system runs generate with minLength = maxLength = 2 (the encoder and one decode
 * step) and = 21 (20 steps); ms per decode step = (long − short) / 19, time to first token =
 * short, tokens/s = 20 / long. The forced length keeps every system on the same number of steps.
 *
 * Node 20 cannot strip types: bench/generation/run.mjs loads this file through Vite's module runner.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ragWebVite } from '../../packages/models/src/vite-plugin.js';
import { runBenchPages, serveFolder, serveJson } from '../browser-harness.js';
import { writeChart } from '../chart/png.js';
import { machineFacts } from '../machine.js';
import { formatGeneration, type GenerationRun, type SystemResult } from './report.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const modelsDir = resolve(arg('models', ''));
if (!process.argv.includes('--models')) throw new Error('--models DIR is required (the folder tools/bench_models.py wrote)');
const sizes = arg('sizes', 'base,large').split(',');
const dtype = arg('dtype', 'fp32');
const systems = arg('systems', 'transformers,cpu,wasm').split(',');
const threads = Number(arg('threads', '2'));
const repeats = Number(arg('repeats', '3'));
const python = arg('python', 'python3');
// transformers' device and dtype: `--torch-device cuda --torch-dtype float16` is the GPU anchor.
const torchDevice = arg('torch-device', 'cpu');
const torchDtype = arg('torch-dtype', 'float32');
const outDir = resolve(arg('out', 'bench/results'));
const here = fileURLToPath(new URL('.', import.meta.url));

const SCENARIOS = [
  { name: 'token greedy', variant: 'token', numBeams: 1, short: 2, long: 21 },
  { name: 'token beam 4', variant: 'token', numBeams: 4, short: 2, long: 21 },
  { name: 'sequence beam 4', variant: 'sequence', numBeams: 4, short: 2, long: 21 },
] as const;
const CONTEXT_LENGTH = Number(arg('context-length', '300'));

/** Seeded contexts every system reads: BOS, random ids of the generator vocabulary, EOS. */
function contexts(vocab: number, nDocs: number, seed: number): { contextInputIds: number[][]; docScores: number[][] } {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const row = () => [0, ...Array.from({ length: CONTEXT_LENGTH - 2 }, () => 4 + Math.floor(next() * (vocab - 4))), 2];
  return { contextInputIds: Array.from({ length: nDocs }, row), docScores: [Array.from({ length: nDocs }, () => 60 + next() * 10)] };
}

/** n_docs and the generator's vocabulary from a RAG folder: its config.json, or rag.json and the generator part's config.json. */
interface BartConfigJson {
  vocab_size: number;
  d_model: number;
  encoder_layers: number;
  decoder_layers: number;
  encoder_ffn_dim: number;
  decoder_ffn_dim: number;
}
function ragConfig(dir: string): { n_docs: number; generator: BartConfigJson } {
  const read = (...parts: string[]) => JSON.parse(readFileSync(join(dir, ...parts), 'utf8')) as Record<string, unknown>;
  if (!existsSync(join(dir, 'rag.json'))) return read('config.json') as { n_docs: number; generator: BartConfigJson };
  const rag = read('rag.json') as { generator: string; config: { n_docs: number } };
  return { n_docs: rag.config.n_docs, generator: read(rag.generator, 'config.json') as unknown as BartConfigJson };
}

/**
 * A `chromium-*` system: bench/generation/page.ts in headless Chromium (WebGPU on SwiftShader here)
 * with the model folder and the SPEC served under /bench-generation/; peak RSS is the browser's,
 * every Chromium process summed.
 */
async function runInChromium(system: string, spec: { model: string; dtype: string; inputs: string; threads: number; repeats: number; scenarios: typeof SCENARIOS }): Promise<SystemResult> {
  const [, device = '', mode] = system.split('-');
  if ((device !== 'wasm' && device !== 'webgpu') || (mode !== undefined && !(device === 'webgpu' && mode === 'readback'))) {
    throw new Error(`unknown system ${system}: chromium-wasm, chromium-webgpu or chromium-webgpu-readback`);
  }
  const page = { system, device, readBack: mode === 'readback', dtype: spec.dtype, threads: spec.threads, repeats: spec.repeats, scenarios: spec.scenarios, inputs: JSON.parse(readFileSync(spec.inputs, 'utf8')) as unknown };
  const [run] = await runBenchPages<Omit<SystemResult, 'peakRssBytes'>>({
    paths: ['bench/generation/index.html'],
    resultKey: 'generationResult',
    errorKey: 'generationError',
    timeoutMs: 4 * 3_600_000,
    echo: ['info'],
    plugins: [ragWebVite(), serveFolder('/bench-generation/model/', spec.model), serveJson('/bench-generation/spec.json', page)],
  });
  return { ...run!.result, peakRssBytes: run!.peakRssBytes };
}

const work = mkdtempSync(join(tmpdir(), 'bench-generation-'));
const machine = machineFacts();
mkdirSync(outDir, { recursive: true });
// One results file per size, written as soon as the size is done: a large run that fails late keeps the base one.
for (const size of sizes) {
  const loadBefore = loadavg();
  const inputsPath = join(work, `${size}-inputs.json`);
  const config = ragConfig(join(modelsDir, size, existsSync(join(modelsDir, size, 'model')) ? 'model' : 'rag'));
  writeFileSync(inputsPath, JSON.stringify(contexts(config.generator.vocab_size, config.n_docs, 7)));
  const results: SystemResult[] = [];
  const failures: Array<{ system: string; error: string }> = [];
  for (const system of systems) {
    // The transformers.js loop reads the transformers.js layout; ours its own RAG folder of the same weights where there is one.
    const ours = !system.startsWith('transformersjs') && existsSync(join(modelsDir, size, 'rag'));
    const spec = {
      model: join(modelsDir, size, ours ? 'rag' : 'model'),
      checkpoint: join(modelsDir, size, 'hf', 'rag-token'),
      device: system,
      dtype,
      inputs: inputsPath,
      threads,
      repeats,
      scenarios: SCENARIOS,
      torchDevice,
      torchDtype,
    };
    const specPath = join(work, `${size}-${system}.json`);
    writeFileSync(specPath, JSON.stringify(spec));
    console.error(`[bench:generation] ${size} · ${system} …`);
    try {
      if (system.startsWith('chromium-')) {
        results.push(await runInChromium(system, spec));
        continue;
      }
      const script = system.startsWith('transformersjs') ? 'transformersjs.mjs' : 'ours.mjs';
      const command = system === 'transformers' ? [python, [join(here, 'hf_generate.py'), specPath]] : [process.execPath, [join(here, script), specPath]];
      const child = spawnSync(command[0] as string, command[1] as string[], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
      process.stderr.write(child.stderr ?? '');
      if (child.status !== 0) throw new Error(/Error: .*/.exec(child.stderr ?? '')?.[0] ?? `${system} exited with ${child.status ?? child.signal}`);
      results.push(JSON.parse(child.stdout.trim().split('\n').at(-1)!) as SystemResult);
    } catch (err) {
      // A system that cannot run this size (BART-large past a WASM heap) is a result: the others go on.
      const error = err instanceof Error ? err.message : String(err);
      failures.push({ system, error });
      console.error(`[bench:generation] ${size} · ${system} failed: ${error}`);
    }
  }
  const g = config.generator;
  const generator = { dModel: g.d_model, encoderLayers: g.encoder_layers, decoderLayers: g.decoder_layers, encoderFfnDim: g.encoder_ffn_dim, decoderFfnDim: g.decoder_ffn_dim, vocabSize: g.vocab_size };
  const run: GenerationRun = { size, dtype, nDocs: config.n_docs, generator, results, ...(failures.length ? { failures } : {}) };
  // The load averages say whether the machine was quiet: other work on 2 cores wrecks torch's OpenMP threads first.
  const report = { date: new Date().toISOString(), machine, loadAverage: { before: loadBefore, after: loadavg() }, threads, repeats, contextLength: CONTEXT_LENGTH, steps: 20, runs: [run] };
  const file = join(outDir, `generation-${machine.cores}core-${size}-${dtype}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 1)}\n`);
  console.log(formatGeneration(report));
  console.error(`[bench:generation] wrote ${file} and ${await writeChart(file)}`);
}

/**
 * The encoder bench: DPR question-encoding latency (batch 1) and context-encoder ingest
 * throughput (passages/s at batch 1, 8, 32) through transformers (torch CPU) and through this
 * project on onnxruntime-node and on WASM, each system in its own process, one after the other
 * on one machine, on the same weights and inputs; then the ratios and how close the vectors are.
 *
 *   pnpm bench:encoders --models DIR [--sizes base] [--dtype fp32] [--systems transformers,cpu,wasm]
 *                       [--threads 2] [--repeats 5] [--questions 32] [--passages 64] [--python python3] [--out bench/results]
 *
 * DIR is what tools/bench_models.py wrote (DIR/<size>/model, DIR/<size>/hf/{rag-token,ctx-encoder}).
 * Inputs are real: questions of fixtures/world-facts/qa-test.jsonl, passages (title, text) of
 * fixtures/world-facts/passages.jsonl, taken evenly across each file. Every timing includes
 * tokenization, as a user sees it; rows are truncated at 256 tokens (or the encoders' position
 * table, if shorter) and padded to the longest in their batch. Each measurement has one untimed
 * warm-up, then --repeats timed passes: over every question one at a time (p50, p10–p90 of the
 * single calls), and over every passage per batch size (median passages/s, spread of the passes).
 *
 * Node 20 cannot strip types: bench/encoders/run.mjs loads this file through Vite's module runner.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatEncoders, systemRow, type EncoderRun, type SystemOutput } from './report.js';
import { writeChart } from '../chart/png.js';
import { machineFacts } from '../machine.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
if (!process.argv.includes('--models')) throw new Error('--models DIR is required (the folder tools/bench_models.py wrote)');
const modelsDir = resolve(arg('models', ''));
const sizes = arg('sizes', 'base').split(',');
const dtype = arg('dtype', 'fp32');
const systems = arg('systems', 'transformers,cpu,wasm').split(',');
const threads = Number(arg('threads', '2'));
const repeats = Number(arg('repeats', '5'));
const python = arg('python', 'python3');
const outDir = resolve(arg('out', 'bench/results'));
const here = fileURLToPath(new URL('.', import.meta.url));
const fixtures = fileURLToPath(new URL('../../fixtures/world-facts/', import.meta.url));

const BATCH_SIZES = [1, 8, 32];
const MAX_LENGTH = 256;

/** `n` rows spread evenly over a JSON-lines file, so every kind of entry (country, city, element…) is in. */
function spread<T>(file: string, n: number): T[] {
  const lines = readFileSync(join(fixtures, file), 'utf8').trim().split('\n');
  return Array.from({ length: Math.min(n, lines.length) }, (_, i) => JSON.parse(lines[Math.floor((i * lines.length) / n)]!) as T);
}
const questions = spread<{ question: string }>('qa-test.jsonl', Number(arg('questions', '32'))).map((q) => q.question);
const passages = spread<{ title: string; text: string }>('passages.jsonl', Number(arg('passages', '64'))).map(({ title, text }) => ({ title, text }));

/** The encoder parts' folders and position tables, from the export's rag.json. */
function encoderParts(model: string): { ctxEncoderDir: string; maxPositions: number } {
  const read = (...parts: string[]) => JSON.parse(readFileSync(join(model, ...parts), 'utf8')) as Record<string, unknown>;
  const rag = read('rag.json') as { question_encoder: string; ctx_encoder?: string };
  if (!rag.ctx_encoder) throw new Error(`${model}/rag.json names no ctx_encoder: export it with --ctx-encoder`);
  const positions = (part: string) => (read(part, 'config.json') as { max_position_embeddings: number }).max_position_embeddings;
  return { ctxEncoderDir: join(model, rag.ctx_encoder), maxPositions: Math.min(positions(rag.question_encoder), positions(rag.ctx_encoder)) };
}

// Other work on the machine skews every row: the 1-minute load average before and after says how much there was.
const loadBefore = loadavg()[0]!;
const work = mkdtempSync(join(tmpdir(), 'bench-encoders-'));
const inputsPath = join(work, 'inputs.json');
writeFileSync(inputsPath, JSON.stringify({ questions, passages }));
const runs: EncoderRun[] = [];
for (const size of sizes) {
  const model = join(modelsDir, size, 'model');
  const parts = encoderParts(model);
  const maxLength = Math.min(MAX_LENGTH, parts.maxPositions);
  const outputs: SystemOutput[] = [];
  for (const system of systems) {
    const spec = {
      model,
      ctxEncoderDir: parts.ctxEncoderDir,
      questionCheckpoint: join(modelsDir, size, 'hf', 'rag-token'),
      ctxCheckpoint: join(modelsDir, size, 'hf', 'ctx-encoder'),
      device: system,
      dtype,
      inputs: inputsPath,
      threads,
      repeats,
      batchSizes: BATCH_SIZES,
      maxLength,
    };
    const specPath = join(work, `${size}-${system}.json`);
    writeFileSync(specPath, JSON.stringify(spec));
    console.error(`[bench:encoders] ${size} · ${system} …`);
    const command = system === 'transformers' ? [python, [join(here, 'hf_encode.py'), specPath]] : [process.execPath, [join(here, 'ours.mjs'), specPath]];
    const stdout = execFileSync(command[0] as string, command[1] as string[], { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
    outputs.push(JSON.parse(stdout.trim().split('\n').at(-1)!) as SystemOutput);
  }
  const reference = outputs.find((o) => o.system === 'transformers');
  const counted = reference ?? outputs[0]!;
  const mean = (rows: number[][]) => rows.reduce((n, r) => n + r.length, 0) / rows.length;
  runs.push({
    size,
    dtype,
    questions: questions.length,
    passages: passages.length,
    maxLength,
    meanTokens: { question: mean(counted.questionIds), passage: mean(counted.ingest[0]!.ids) },
    rows: outputs.map((o) => systemRow(o, reference)),
  });
}

const machine = { ...machineFacts(), loadAverage: { before: loadBefore, after: loadavg()[0]! } };
const report = { date: new Date().toISOString(), machine, threads, repeats, batchSizes: BATCH_SIZES, runs };
mkdirSync(outDir, { recursive: true });
const file = join(outDir, `encoders-${machine.cores}core-${dtype}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 1)}\n`);
console.log(formatEncoders(report));
console.error(`[bench:encoders] wrote ${file} and ${await writeChart(file)}`);

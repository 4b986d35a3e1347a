// The CLI as plain npm installs it: onnxruntime-node is an optional peer dependency, absent unless
// the user installs it. The built bin is run from a folder whose node_modules holds our packages
// (and, through them, onnxruntime-web) but no onnxruntime-node: WASM works, `--device cpu` says
// what to install.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI_TEST_TIMEOUT, cliBin, ensureCliBuilt, repoRoot, tempDir, type CliResult } from '../test/run-cli.js';

const sandbox = tempDir('no-onnxruntime-node');
const model = join(repoRoot, 'fixtures/tiny-a/model');
const kb = join(sandbox, 'kb');

function rag(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(sandbox, 'rag.js'), ...args], { cwd: sandbox }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(() => {
  ensureCliBuilt();
  mkdirSync(join(sandbox, 'node_modules/@rag-web'), { recursive: true });
  for (const name of ['core', 'models', 'retriever', 'pgvector', 'remote', 'rag']) symlinkSync(join(repoRoot, 'packages', name), join(sandbox, 'node_modules/@rag-web', name), 'dir');
  copyFileSync(cliBin, join(sandbox, 'rag.js'));
}, CLI_TEST_TIMEOUT);
afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

it('runs on WASM without onnxruntime-node, and --device cpu names the package to install', { timeout: CLI_TEST_TIMEOUT }, async () => {
  const passages = join(repoRoot, 'fixtures/tiny-a/passages.jsonl');
  const index = await rag(['index', '--model', model, '--passages', passages, '--out', kb, '--device', 'wasm']);
  expect(index.stderr.split('\n').filter((l) => /Error/.test(l))).toEqual([]);
  expect(index.code).toBe(0);
  expect(existsSync(join(kb, 'manifest.json'))).toBe(true);

  const question = ['--model', model, '--kb', kb, '--question', 'what is del', '--json'];
  const wasm = await rag(['ask', ...question]);
  expect(wasm.code).toBe(0);
  expect((JSON.parse(wasm.stdout) as { texts: string[] }).texts.length).toBeGreaterThan(0);

  const cpu = await rag(['ask', ...question, '--device', 'cpu']);
  expect(cpu).toMatchObject({ code: 1, stdout: '' });
  expect(cpu.stderr).toMatch(
    /^DeviceUnavailableError: --device cpu needs the optional package onnxruntime-node, which is not installed: run `npm install onnxruntime-node@~1\.30\.0 --onnxruntime-node-install=skip`.* or use --device wasm .*\n$/,
  );
});

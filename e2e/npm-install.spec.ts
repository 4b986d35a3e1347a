import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { writeArtifact } from './demo-page.js';

// A web developer's first hour (issue 14): the packages packed as npm publishes them, installed
// with plain npm (no pnpm, no workspace) into a fresh Vite app and a Node script, a production
// build with no asset copied by hand, and an answer with sources in Chromium (page and worker,
// WebGPU and WASM), in Node, and from the `rag` command.

const repo = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = ['core', 'retriever', 'models', 'pgvector', 'remote', 'rag', 'cli'] as const;
const QUESTION = 'what is the capital of France?';
const port = 4193;
const run = (cmd: string, args: string[], cwd: string, timeout = 600_000) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });

interface Answer {
  text: string;
  device: string;
  sources: Array<{ id: number; title: string; text: string; score: number; probability: number }>;
}

function folderBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => sum + (e.isDirectory() ? folderBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
}

function expectAnswer(answer: Answer, device: string): void {
  expect(answer.device).toBe(device);
  expect(answer.text).toMatch(/Paris/);
  expect(answer.sources.length).toBeGreaterThan(0);
  expect(answer.sources[0]!.title).toBe('France');
  expect(answer.sources.reduce((s, x) => s + x.probability, 0)).toBeCloseTo(1, 5);
}

test.describe.configure({ mode: 'serial' });

test.describe('packed packages installed with plain npm', () => {
  let dir: string;
  let app: string;
  let server: ChildProcess | undefined;
  const facts: Record<string, unknown> = {};

  test.beforeAll(async () => {
    test.setTimeout(20 * 60_000);
    dir = mkdtempSync(join(tmpdir(), 'rag-web-consumer-'));
    const tarballs = join(dir, 'tarballs');
    for (const name of PACKAGES) run('pnpm', ['pack', '--pack-destination', tarballs], join(repo, 'packages', name));
    const tarball = (name: string) => `file:${join(tarballs, readdirSync(tarballs).find((f) => f.startsWith(`rag-web-${name}-`))!)}`;

    app = join(dir, 'app');
    cpSync(join(repo, 'e2e/consumer-app'), app, { recursive: true });
    const vite = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.vite!;
    const dependencies = Object.fromEntries(PACKAGES.map((name) => [`@rag-web/${name}`, tarball(name)]));
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer-app', private: true, type: 'module', dependencies: { ...dependencies, vite } }, null, 2));
    const started = Date.now();
    run('npm', ['install', '--no-audit', '--no-fund'], app, 900_000);
    facts.npmInstallSeconds = (Date.now() - started) / 1000;
    // The app's data (model weights, knowledge base) is the app's to host; ONNX Runtime's files are not.
    cpSync(join(repo, 'public/models/world-facts'), join(app, 'public/models/world-facts'), { recursive: true });
    cpSync(join(repo, 'public/kb/world-facts'), join(app, 'public/kb/world-facts'), { recursive: true });
    run('npx', ['vite', 'build'], app);
    const assets = join(app, 'dist/assets');
    facts.wasmFiles = readdirSync(assets).filter((f) => f.endsWith('.wasm'));
    facts.buildBytesWithoutData = folderBytes(join(app, 'dist')) - folderBytes(join(app, 'dist/models')) - folderBytes(join(app, 'dist/kb'));
    server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort'], { cwd: app, stdio: 'ignore', detached: true });
    for (let i = 0; i < 120; i++) {
      if (await fetch(`http://localhost:${port}/`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  });

  test.afterAll(() => {
    if (server?.pid) process.kill(-server.pid);
    writeArtifact('npm-install.json', facts);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the production build holds only the ONNX Runtime files it loads', () => {
    // One WASM binary (the WebGPU bundle of onnxruntime-web runs both EPs from it), none of its variants.
    expect(facts.wasmFiles).toEqual([expect.stringMatching(/^ort-wasm-simd-threaded\.asyncify-.*\.wasm$/)]);
    expect(existsSync(join(app, 'dist/ort'))).toBe(false);
  });

  for (const device of ['wasm', 'webgpu'] as const) {
    for (const mode of ['page', 'worker'] as const) {
      test(`answers with sources in Chromium: ${device}, in the ${mode}`, async ({ page }) => {
        test.setTimeout(5 * 60_000);
        const failed: string[] = [];
        page.on('requestfailed', (r) => failed.push(r.url()));
        page.on('response', (r) => (r.status() >= 400 ? failed.push(`${r.status()} ${r.url()}`) : undefined));
        await page.goto(`http://localhost:${port}/?device=${device}&mode=${mode}&question=${encodeURIComponent(QUESTION)}`);
        await expect(page.locator('#result')).toHaveText(/^\{/, { timeout: 240_000 });
        const out = JSON.parse((await page.locator('#result').textContent())!) as { ok: boolean; result?: Answer; error?: string };
        expect(out.error).toBeUndefined();
        expectAnswer(out.result!, device);
        expect(failed).toEqual([]);
        facts[`${device}-${mode}`] = out.result!.text;
      });
    }
  }

  test('answers the same question in Node, and from the rag command', () => {
    test.setTimeout(5 * 60_000);
    const model = join(app, 'public/models/world-facts');
    const kb = join(app, 'public/kb/world-facts');
    const answer = JSON.parse(run('node', ['answer-node.mjs', model, kb, QUESTION], app)) as Answer;
    expectAnswer(answer, 'wasm');
    expect(answer.text).toBe(facts['wasm-page']);
    const cli = run('npx', ['rag', 'ask', '--question', QUESTION, '--model', model, '--kb', kb], app);
    expect(cli).toMatch(/Paris/);
  });
});

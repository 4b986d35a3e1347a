// Runs the built `rag` command as a subprocess, the way a user does (`node packages/cli/dist/rag.js`),
// and builds it first if dist/ is missing or older than the sources. The root `pnpm run check`
// builds every package before the unit tests, so the build here is only for `pnpm test:unit`
// after an edit. A lock folder keeps two test files from building at once.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const cliBin = join(repoRoot, 'packages/cli/dist/rag.js');
const PACKAGES = ['core', 'models', 'retriever', 'pgvector', 'rag', 'remote', 'cli'] as const;
const DIST_OF: Record<(typeof PACKAGES)[number], string> = {
  core: 'packages/core/dist/index.js',
  models: 'packages/models/dist/index.js',
  retriever: 'packages/retriever/dist/index.js',
  pgvector: 'packages/pgvector/dist/index.js',
  rag: 'packages/rag/dist/index.js',
  remote: 'packages/remote/dist/server.js',
  cli: 'packages/cli/dist/rag.js',
};

/** Newest mtime of the files a build reads (tests and `__screenshots__`-like folders left out). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('__')) newest = Math.max(newest, newestSource(path));
    } else if (!/\.test\.ts$/.test(entry.name)) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

function stalePackages(): string[] {
  return PACKAGES.filter((p) => {
    const dist = join(repoRoot, DIST_OF[p]);
    return !existsSync(dist) || statSync(dist).mtimeMs < newestSource(join(repoRoot, `packages/${p}/src`));
  });
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Builds the CLI (and the packages it runs on) when dist/ is missing or stale. */
export function ensureCliBuilt(): void {
  if (stalePackages().length === 0) return;
  const lock = join(tmpdir(), `rag-cli-build-${createHash('sha256').update(repoRoot).digest('hex').slice(0, 12)}.lock`);
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is building; a lock older than 5 minutes was left by a killed run.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() - started > 300_000) throw new Error('timed out waiting for another test file to build the CLI');
      sleep(250);
    }
  }
  try {
    const stale = stalePackages();
    if (stale.length === 0) return;
    // The CLI alone when only it changed; otherwise it and its workspace dependencies, in order.
    const filter = stale.length === 1 && stale[0] === 'cli' ? '@rag-web/cli' : '@rag-web/cli...';
    execFileSync('pnpm', ['--filter', filter, 'run', 'build'], { cwd: repoRoot, stdio: 'pipe' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Timeout for a test that runs the CLI a few times (subprocesses queue behind MAX_RUNNING). */
export const CLI_TEST_TIMEOUT = 240_000;

/** Subprocesses at once per test file: the machines this runs on have 2 cores. */
const MAX_RUNNING = 2;
let running = 0;
const waiting: Array<() => void> = [];

/**
 * V8 flags for the test runs. V8 also compiles onnxruntime-web's WASM module with its optimizing
 * tier, which costs about 2 CPU-seconds per process, more than the tiny fixture models take to
 * run; Liftoff-only code computes bit-identical results (WebAssembly float arithmetic is
 * deterministic; checked on the fixtures), so the suite runs with it except where a test asks
 * for plain `node`.
 */
const FAST_WASM = ['--liftoff-only'];

export interface RunOptions {
  /** Run with plain `node`, V8's default tiers (the user's path). */
  plainNode?: boolean;
}

/** `node packages/cli/dist/rag.js ...args` from the repository root; never rejects. */
export async function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  if (running >= MAX_RUNNING) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await new Promise<CliResult>((resolve) => {
      execFile(process.execPath, [...(options.plainNode ? [] : FAST_WASM), cliBin, ...args], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Runs the CLI and parses stdout as JSON Lines; any failure throws with the CLI's stderr. */
export async function runCliJson<T>(args: string[], options: RunOptions = {}): Promise<T[]> {
  const r = await runCli([...args, '--json'], options);
  if (r.code !== 0) throw new Error(`rag ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `rag-cli-${prefix}-`));
}

/** `rag index` arguments for a fixture case from its committed `.npy`; `target` is `--out DIR` or `--kb postgres://…`. */
export function fixtureIndexArgs(caseName: string, target: string[]): string[] {
  return ['index', '--model', `fixtures/${caseName}/model`, '--passages', `fixtures/${caseName}/passages.jsonl`, '--embeddings', `fixtures/${caseName}/passage_embeddings.npy`, ...target];
}

/** `rag index` of a fixture case from its committed `.npy` into a fresh folder; returns the folder. */
export async function indexFixture(caseName: string, index: 'hnsw' | 'exact' = 'hnsw'): Promise<string> {
  const out = join(tempDir(caseName), 'kb');
  const r = await runCli(fixtureIndexArgs(caseName, ['--out', out, '--index', index]));
  if (r.code !== 0) throw new Error(`rag index ${caseName} exited ${r.code}: ${r.stderr}`);
  return out;
}

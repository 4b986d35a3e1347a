// A real Postgres wire server for tests, from npm packages alone: PGlite (Postgres 18, WASM) with
// pgvector behind @electric-sql/pglite-socket, spawned as `pglite-server` and reached on
// 127.0.0.1 by the ordinary `pg` client (shared/FACTS.md: "Postgres + pgvector without a server
// package"). One session serves every connection, one statement at a time.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PostgresServerOptions {
  /** A folder for the database files; default: in memory (`memory://`), or a temp folder when `persistent`. */
  dataDir?: string;
  /** Keep the data across `restart()` in a temp folder that `stop()` removes. */
  persistent?: boolean;
  /** Concurrent connections the server accepts (pglite-server `-m`; its default is 1). Default 8. */
  maxConnections?: number;
  /** How long to wait for the "listening" line. Default 60 s (a cold start takes ~10 s on 2 cores). */
  startTimeoutMs?: number;
  /** Load the pgvector extension (default true); false: a server where `CREATE EXTENSION vector` fails. */
  pgvector?: boolean;
}

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`; `url` and `port` change only if `restart` found the port taken. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Graceful shutdown (SIGTERM, the data flushed), then removes a temp data folder. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash: for fault tests. */
  kill(): Promise<void>;
  /** Starts the server again (after `kill`, or gracefully stopping it first) on the same data folder, on the same port if it is still free. In memory, the data is lost. */
  restart(): Promise<void>;
}

const BIN = fileURLToPath(new URL('../node_modules/.bin/pglite-server', import.meta.url));
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

export async function startPostgres(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const tempDir = options.dataDir === undefined && options.persistent ? mkdtempSync(join(tmpdir(), 'rag-pglite-')) : undefined;
  const dataDir = options.dataDir ?? tempDir ?? 'memory://';
  const maxConnections = options.maxConnections ?? 8;
  const extensions = options.pgvector === false ? [] : ['-e', '@electric-sql/pglite-pgvector:vector'];
  const spawnOn = (port: number) => spawnServer([...extensions, '-d', dataDir, '-m', String(maxConnections)], port, options.startTimeoutMs ?? 60_000);
  killAllOnExit();

  let current: { child: ChildProcess; port: number };
  try {
    current = await spawnOn(0);
  } catch (err) {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    throw err;
  }
  let port = current.port;

  const exit = (child: ChildProcess, signal: NodeJS.Signals): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  const shutDown = async (child: ChildProcess) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exit(child, 'SIGTERM');
    clearTimeout(force);
    live.delete(child);
  };

  return {
    get url() {
      return `postgres://postgres@127.0.0.1:${port}/postgres`;
    },
    get port() {
      return port;
    },
    dataDir,
    async stop() {
      await shutDown(current.child);
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
    async kill() {
      await exit(current.child, 'SIGKILL');
      live.delete(current.child);
    },
    async restart() {
      await shutDown(current.child);
      try {
        current = await spawnOn(port);
      } catch {
        current = await spawnOn(0);
      }
      port = current.port;
    },
  };
}

/** Spawns pglite-server (port 0: the OS picks one) and resolves with the port of its "listening" line. */
function spawnServer(options: string[], port: number, timeoutMs: number): Promise<{ child: ChildProcess; port: number }> {
  const args = ['-h', '127.0.0.1', '-p', String(port), ...options];
  // stdin stays an open pipe: the server exits when its stdin closes.
  const child = spawn(BIN, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      live.delete(child);
      reject(new Error(`pglite-server (${BIN} ${args.join(' ')}) ${why}. Its output:\n${output}`));
    };
    const timer = setTimeout(() => fail(`printed no "listening" line within ${timeoutMs} ms`), timeoutMs);
    child.once('error', (err) => fail(`could not be started: ${err.message}`));
    child.once('exit', (code, signal) => fail(`exited (code ${code}, signal ${signal}) before listening`));
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /listening on (\{.*\})/.exec(output);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      // Keep draining its output so that a full pipe never blocks it.
      child.stdout!.resume();
      child.stderr!.resume();
      resolve({ child, port: (JSON.parse(m[1]!) as { port: number }).port });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
}

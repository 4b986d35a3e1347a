// `pnpm bench:serve [--kb DIR|postgres://… [--kb-name NAME]] [--duration S] [--connections N] [--requests N] [--n-docs N] [--batch N]`:
// the retrieval server (`rag serve`, built by `pnpm run build`) under load on loopback. Each of
// `--requests` distinct POST /retrieve bodies (seeded random question vectors of the knowledge
// base's width) is answered once by a single client first; then autocannon cycles through them
// with `--connections` connections for `--duration` seconds and every reply must equal, byte for
// byte, the single-client reply to the same body. Reports requests/s, latency quantiles, errors,
// mismatches and what the machine was doing (load average, CPU seconds of server and client).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { runnerImport } from 'vite';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cliBin = `${repoRoot}packages/cli/dist/rag.js`;

// Node 20 cannot import TypeScript: Vite's module runner loads the repository's seeded PRNG.
const { seededRandom } = (await runnerImport(fileURLToPath(new URL('../../test/seeded-random.ts', import.meta.url)))).module;

const { values: args } = parseArgs({
  options: {
    kb: { type: 'string', default: 'public/kb/world-facts' },
    'kb-name': { type: 'string' },
    index: { type: 'string' },
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '32' },
    requests: { type: 'string', default: '64' },
    'n-docs': { type: 'string', default: '5' },
    batch: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
  },
});
const duration = Number(args.duration);
const connections = Number(args.connections);
const distinct = Number(args.requests);
const nDocs = Number(args['n-docs']);
const batch = Number(args.batch);

if (!existsSync(cliBin)) throw new Error(`${cliBin} is missing: run pnpm run build first`);

/** Seconds of CPU a process has used (Linux /proc: utime + stime). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function startServer() {
  const extra = [...(args.index ? ['--index', args.index] : []), ...(args['kb-name'] ? ['--kb-name', args['kb-name']] : [])];
  const child = spawn(process.execPath, [cliBin, 'serve', '--kb', args.kb, ...extra, '--port', '0', '--max-batch', String(Math.max(batch, 64))], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve({ child, line, url: /on (http:\/\/\S+)$/.exec(line)[1] });
    });
    child.once('exit', (code) => reject(new Error(`rag serve exited ${code}`)));
  });
}

const { child, line, url } = await startServer();
try {
  console.log(line);
  const health = await (await fetch(`${url}/health`)).json();
  const rand = seededRandom(Number(args.seed));
  const bodies = Array.from({ length: distinct }, () =>
    JSON.stringify({
      questionHiddenStates: Array.from({ length: batch }, () => Array.from(Float32Array.from({ length: health.dimension }, () => rand() * 2 - 1))),
      nDocs,
    }),
  );

  // The single-client answers, one request at a time.
  const expected = [];
  const singleMs = [];
  for (const body of bodies) {
    const t0 = performance.now();
    const res = await fetch(`${url}/retrieve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const text = await res.text();
    singleMs.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`single client: HTTP ${res.status}: ${text}`);
    expected.push(text);
  }

  let checked = 0;
  let mismatches = 0;
  const requests = bodies.map((body, i) => ({
    method: 'POST',
    path: '/retrieve',
    headers: { 'content-type': 'application/json' },
    body,
    onResponse: (status, replyBody) => {
      checked++;
      if (status !== 200 || String(replyBody) !== expected[i]) mismatches++;
    },
  }));

  const load0 = loadavg();
  const serverCpu0 = cpuSeconds(child.pid);
  const clientCpu0 = process.cpuUsage();
  const result = await autocannon({ url, connections, duration, requests });
  const clientCpu = process.cpuUsage(clientCpu0);
  const serverCpu = cpuSeconds(child.pid) - serverCpu0;
  const load1 = loadavg();

  const sorted = [...singleMs].sort((a, b) => a - b);
  const report = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryBytes: totalmem(), node: process.version },
    kb: { source: args.kb, name: health.name, count: health.count, dimension: health.dimension },
    load: { connections, durationS: duration, distinctRequests: distinct, nDocs, batch },
    singleClient: { p50Ms: sorted[Math.floor(sorted.length / 2)], maxMs: sorted.at(-1) },
    requestsPerSecond: { mean: result.requests.average, min: result.requests.min, max: result.requests.max },
    requestsTotal: result.requests.total,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    throughputBytesPerSecond: result.throughput.average,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    checkedReplies: checked,
    mismatches,
    machineLoad: {
      loadAverage1mBefore: load0[0],
      loadAverage1mAfter: load1[0],
      serverCpuSecondsPerSecond: serverCpu / duration,
      clientCpuSecondsPerSecond: (clientCpu.user + clientCpu.system) / 1e6 / duration,
    },
  };
  console.log(JSON.stringify(report, null, 2));
  if (report.errors || report.timeouts || report.non2xx || mismatches || checked === 0) {
    console.error(`FAILED: ${report.errors} errors, ${report.timeouts} timeouts, ${report.non2xx} non-2xx, ${mismatches} mismatches of ${checked} checked`);
    process.exitCode = 1;
  }
} finally {
  child.kill('SIGTERM');
}

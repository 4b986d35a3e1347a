import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { DEFAULT_MODEL } from '../demo/src/default-model.js';
import { ask, openDemo, passageDocIds, passageTitles, setRetrievalServer, SLOW } from './demo-page.js';

// The demo pointed at a `rag serve` retrieval server started here, over the knowledge-base folder
// the demo ships for its default model: the question is encoded and answered in the page, its
// passages come from the server, and they (and so the answer) are those of retrieving in the
// browser from the same knowledge base. Then faults: the server gone, a closed port.

const QUESTION = 'what is the capital of France?';
const root = new URL('../', import.meta.url);
const kbDir = fileURLToPath(new URL(`public${DEFAULT_MODEL.knowledgeBase.url}`, root));

/** A TCP port nothing listens on (taken from the OS, then released). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Starts `rag serve` and resolves with its URL once it prints its ready line. */
async function startServer(origin: string): Promise<{ proc: ChildProcessWithoutNullStreams; url: string }> {
  const cli = fileURLToPath(new URL('packages/cli/dist/rag.js', root));
  const proc = spawn(process.execPath, [cli, 'serve', '--kb', kbDir, '--port', String(await freePort()), '--cors', origin], { cwd: fileURLToPath(root) });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rag serve printed no ready line in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /^rag serve: .* on (http:\/\/\S+)$/m.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`rag serve exited (${code}) before it was ready:\n${output}`));
    });
  });
  return { proc, url };
}

async function stopServer(proc: ChildProcessWithoutNullStreams): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  await exited;
}

// One page (one model load on WASM) for the whole file: each case starts where the last one left off.
test.describe.configure({ mode: 'serial' });

let page: Page;
let server: { proc: ChildProcessWithoutNullStreams; url: string };
let local: { answer: string; docIds: number[]; titles: string[] };

test.beforeAll(async ({ browser }, info) => {
  const origin = info.project.use.baseURL!;
  server = await startServer(origin);
  page = await browser.newPage({ baseURL: origin });
});

test.afterAll(async () => {
  await page?.close();
  if (server) await stopServer(server.proc);
});

test('questions retrieve from a rag serve server: its passages, the same answer as retrieving in the browser @no-webgpu', async () => {
  test.slow(); // a model load and two questions on WASM
  await openDemo(page, '?device=wasm');
  await expect(page.getByTestId('retrieval-mode')).toHaveText('local');

  await ask(page, QUESTION);
  await expect(page.getByTestId('answer')).toContainText('Paris');
  await expect(page.getByTestId('answer-meta')).toContainText(`passages of ${DEFAULT_MODEL.knowledgeBase.name}, retrieved in this browser`);
  local = { answer: (await page.getByTestId('answer').textContent())!, docIds: await passageDocIds(page), titles: await passageTitles(page) };

  const health = (await (await fetch(`${server.url}/health`)).json()) as { name: string; count: number; dimension: number };
  await setRetrievalServer(page, server.url);
  await expect(page.getByTestId('error')).toBeHidden();
  await expect(page.getByTestId('retrieval-mode')).toHaveText('remote');
  await expect(page.getByTestId('retrieval-detail')).toHaveText(`— ${health.name} at ${server.url} (${health.count} passages)`);
  // Questions no longer read the knowledge bases here; added documents would stay here.
  await expect(page.getByTestId('kb-select')).toBeDisabled();
  await expect(page.getByTestId('docs-remote-note')).toBeVisible();

  // The passages shown are what the server answered (the worker's own request, seen on the wire).
  const retrieved = page.waitForResponse((r) => r.url() === `${server.url}/retrieve` && r.request().method() === 'POST', SLOW);
  await ask(page, QUESTION);
  const response = await retrieved;
  expect(response.status()).toBe(200);
  const body = (await response.json()) as { name: string; docIds: number[][] };
  expect(body.name).toBe(health.name);
  expect(await passageDocIds(page)).toEqual(body.docIds[0]);
  // … and the same as the browser retrieved from its copy of the knowledge base, so the same answer.
  expect(await passageDocIds(page)).toEqual(local.docIds);
  expect(await passageTitles(page)).toEqual(local.titles);
  await expect(page.getByTestId('answer')).toHaveText(local.answer);
  await expect(page.getByTestId('answer-source-title')).toHaveText('France');
  await expect(page.getByTestId('answer-meta')).toContainText(`passages of ${health.name}, retrieved by the retrieval server at ${server.url}`);
  await page.screenshot({ path: fileURLToPath(new URL('artifacts/screenshots/remote-retrieval-answer.png', root)), fullPage: true });
});

test('a retrieval server that is down is a clear error, not a hang; cleared, the page answers in the browser again @no-webgpu', async () => {
  test.slow();
  // The server goes away while the page uses it: the question fails with the typed error.
  await stopServer(server.proc);
  await page.getByTestId('question').fill(QUESTION);
  await page.getByTestId('ask').click();
  await expect(page.getByTestId('error')).toBeVisible(SLOW);
  await expect(page.getByTestId('error')).toHaveAttribute('data-error-name', 'RemoteUnavailableError');
  await expect(page.getByTestId('answer')).toHaveAttribute('data-state', 'error');
  await expect(page.getByTestId('ask')).toBeEnabled();

  // A server that is not there at all (a closed port): the connect fails and nothing changes.
  const closed = `http://127.0.0.1:${await freePort()}`;
  await setRetrievalServer(page, closed);
  await expect(page.getByTestId('error')).toBeVisible();
  await expect(page.getByTestId('error')).toHaveAttribute('data-error-name', 'RemoteUnavailableError');
  await expect(page.getByTestId('error')).toContainText(closed);
  await expect(page.getByTestId('retrieval-mode')).toHaveText('remote');

  // Cleared: questions retrieve here again, with the answer they had before.
  await setRetrievalServer(page, '');
  await expect(page.getByTestId('error')).toBeHidden();
  await expect(page.getByTestId('retrieval-mode')).toHaveText('local');
  await expect(page.getByTestId('kb-select')).toBeEnabled();
  await expect(page.getByTestId('docs-remote-note')).toBeHidden();
  await ask(page, QUESTION);
  await expect(page.getByTestId('answer')).toHaveText(local.answer);
  expect(await passageDocIds(page)).toEqual(local.docIds);
  await expect(page.getByTestId('answer-meta')).toContainText('retrieved in this browser');
});

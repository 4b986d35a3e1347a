import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { RagConfig, RagRetriever } from '@rag-web/core';
import { RemoteRetriever, RemoteUnavailableError } from '@rag-web/remote';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFixtureJson, readReference } from '../../../../test/fixture-files.js';
import { HfTestTokenizer } from '../../../retriever/test/hf-tokenizer.js';
import { CLI_TEST_TIMEOUT, cliBin, ensureCliBuilt, repoRoot, runCli } from '../../test/run-cli.js';
import { openKnowledgeBaseFolder } from '../kb-folder-files.js';

const KB = 'public/kb/tiny-a'; // the tiny-a fixture's passages and embeddings, as rag index writes them

/** Starts `rag serve` and resolves with its URL once it printed its line; stderr is kept for failures. */
async function startServe(args: string[]): Promise<{ child: ChildProcess; url: string; line: string; stderr: () => string }> {
  const child = spawn(process.execPath, [cliBin, 'serve', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`rag serve exited ${code} before serving: ${stderr}`)));
  });
  const url = /on (http:\/\/\S+)$/.exec(line)?.[1];
  if (!url) throw new Error(`unexpected first line: ${line}`);
  return { child, url, line, stderr: () => stderr };
}

describe('rag serve', { timeout: CLI_TEST_TIMEOUT }, () => {
  beforeAll(() => ensureCliBuilt(), CLI_TEST_TIMEOUT);

  it("serves a knowledge-base folder: /health, /retrieve equal to the folder's own search, RagRetriever gives transformers' contexts; SIGTERM stops it cleanly", async () => {
    const { child, url, line, stderr } = await startServe(['--kb', KB, '--index', 'exact', '--port', '0', '--max-batch', '2', '--cors', 'http://localhost:5173']);
    try {
      expect(line).toMatch(/^rag serve: tiny-a \(259 passages × 32\) on http:\/\/127\.0\.0\.1:\d+$/);
      const remote = await RemoteRetriever.connect(url);
      expect(remote).toMatchObject({ name: 'tiny-a', dimension: 32, maxDocs: 100, maxBatch: 2 });
      expect(await remote.count()).toBe(259);

      const ref = readReference('tiny-a');
      const kb = await openKnowledgeBaseFolder(KB, 'exact');
      const queries = Float32Array.from(ref.per_question.flatMap((q) => q.question_pooled));
      expect(await remote.topPassages(queries, 5)).toEqual(await kb.topPassages(queries, 5));
      await kb.close();

      const tokenizer = (which: string) => new HfTestTokenizer(readFixtureJson(`tiny-a/model/${which}/tokenizer.json`), readFixtureJson(`tiny-a/model/${which}/tokenizer_config.json`));
      const config = RagConfig.fromJson(readFixtureJson('tiny-a/model/config.json'));
      const retriever = new RagRetriever(remote, config, { questionEncoder: tokenizer('question_encoder_tokenizer'), generator: tokenizer('generator_tokenizer') });
      for (const q of ref.per_question) {
        const out = await retriever.call([q.question_input_ids], Float32Array.from(q.question_pooled));
        expect(out.docIds).toEqual([q.doc_ids]);
        expect(out.contextStrings).toEqual(q.context_strings);
      }

      const preflight = await fetch(`${url}/retrieve`, { method: 'OPTIONS', headers: { 'access-control-request-method': 'POST' } });
      expect(preflight.status).toBe(403); // no Origin: not a page of an allowed origin
    } finally {
      child.kill('SIGTERM');
    }
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    expect({ code, signal, stderr: stderr() }).toEqual({ code: 0, signal: null, stderr: '' });
    await expect(RemoteRetriever.connect(url, { timeoutMs: 2000 })).rejects.toThrow(RemoteUnavailableError);
  });

  it('SIGINT (Ctrl-C) as soon as the line is out: a clean exit 0', async () => {
    const { child, stderr } = await startServe(['--kb', KB, '--port', '0']);
    child.kill('SIGINT');
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    expect({ code, signal, stderr: stderr() }).toEqual({ code: 0, signal: null, stderr: '' });
  });

  it('bad flags: no --kb and an empty --cors are usage errors (2); a folder that is not there, an origin with a path fail (1)', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['serve'], 2, /^UsageError: rag serve: --kb KB_DIR|postgres:\/\/… is required/],
      [['serve', '--kb', KB, '--cors', ','], 2, /^UsageError: --cors needs at least one origin/],
      [['serve', '--kb', KB, '--port', '70000'], 2, /^UsageError: --port must be at most 65535/],
      [['serve', '--kb', 'no/such/folder'], 1, /^InputFileError: knowledge-base folder no\/such\/folder not found/],
      [['serve', '--kb', KB, '--port', '0', '--cors', 'https://app.example/page'], 1, /^RagConfigError: retrieval server: CORS origin "https:\/\/app.example\/page"/],
    ];
    for (const [args, code, pattern] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr.trimEnd(), args.join(' ')).toMatch(pattern);
    }
  });

  it('rag serve --help lists every option with its default', async () => {
    const r = await runCli(['serve', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--kb KB_DIR', '--index', '--port N', '--host H', '--cors ORIGINS', '--max-docs N', '--max-batch N', '--max-body BYTES']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toMatch(/--port N\s+TCP port.*\[default: 8765\]/);
  });
});

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PgKnowledgeBase } from '@rag-web/pgvector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_CASES, fixturePath, readReference } from '../../../../test/fixture-files.js';
import { startPostgres, type PostgresServer } from '../../../../test/postgres-server.js';
import { askFlags } from '../../test/generate-flags.js';
import { CLI_TEST_TIMEOUT, cliBin, ensureCliBuilt, fixtureIndexArgs, indexFixture, repoRoot, runCli, runCliJson, tempDir } from '../../test/run-cli.js';
import type { AskRecord } from './ask.js';

/** `rag index` of a fixture's passages and committed embeddings into knowledge base `name` of the database. */
const indexArgs = (caseName: string, url: string, name: string, more: string[] = []) => fixtureIndexArgs(caseName, ['--kb', url, '--kb-name', name, ...more]);

const tableName = (caseName: string) => caseName.replace(/-/g, '_');

// `--kb postgres://…` end to end: the built CLI against a real Postgres wire server (PGlite + pgvector).
describe('rag index / ask / serve with --kb postgres://…', { timeout: CLI_TEST_TIMEOUT }, () => {
  let pg: PostgresServer;
  beforeAll(async () => {
    ensureCliBuilt();
    pg = await startPostgres({ maxConnections: 16 });
  }, CLI_TEST_TIMEOUT);
  afterAll(() => pg?.stop());

  describe.each(FIXTURE_CASES)('%s', (caseName) => {
    const reference = readReference(caseName);
    const setting = Object.keys(reference.per_question[0]!.generate)[0]!;
    const questions = reference.per_question.flatMap((q) => ['--question', q.question]);

    it('rag ask from Postgres (exact search) gives transformers\' doc ids, contexts and sequences, and the same records as from a folder', async () => {
      const [summary] = await runCliJson<Record<string, unknown>>(indexArgs(caseName, pg.url, tableName(caseName), ['--index', 'exact']));
      const passages = readFileSync(fixturePath(`${caseName}/passages.jsonl`), 'utf8').trim().split('\n').length;
      expect(summary).toMatchObject({ name: tableName(caseName), count: passages, resumed: 0, firstId: 0, index: 'exact', embedded: 0 });

      const flags = ['--index', 'exact', '--device', 'wasm', ...askFlags(setting)];
      const fromPostgres = await runCliJson<AskRecord>(['ask', '--model', `fixtures/${caseName}/model`, '--kb', pg.url, '--kb-name', tableName(caseName), ...questions, ...flags]);
      fromPostgres.forEach((r, i) => {
        const q = reference.per_question[i]!;
        expect(r.docIds).toEqual(q.doc_ids);
        expect(r.contextStrings).toEqual(q.context_strings);
        expect(r.contextInputIds).toEqual(q.context_input_ids);
        expect(r.sequences).toEqual(q.generate[setting]);
      });
      const folder = await indexFixture(caseName, 'exact');
      const fromFolder = await runCliJson<AskRecord>(['ask', '--model', `fixtures/${caseName}/model`, '--kb', folder, ...questions, ...flags]);
      expect(fromPostgres).toEqual(fromFolder);
    });
  });

  it('rag index with the context encoder: killed mid-ingest, the same command resumes — every passage once, none missing', async () => {
    // 2,072 passages (tiny-a's, 8 times) in transactions of 4: long enough to be killed half-way.
    const lines = readFileSync(fixturePath('tiny-a/passages.jsonl'), 'utf8').trim().split('\n');
    const input = Array.from({ length: 8 }, (_, copy) => lines.map((l) => {
        const { title, text } = JSON.parse(l) as { title: string; text: string };
        return JSON.stringify({ title: `${title} (copy ${copy})`, text });
      })).flat();
    const passagesFile = join(tempDir('pg-resume'), 'passages.jsonl');
    writeFileSync(passagesFile, `${input.join('\n')}\n`);
    const args = ['index', '--model', 'fixtures/tiny-a/model', '--passages', passagesFile, '--kb', pg.url, '--kb-name', 'resume', '--batch-size', '4', '--device', 'wasm'];

    const kb = await PgKnowledgeBase.open(pg.url, { name: 'resume', dimension: 32 });
    try {
      const child = spawn(process.execPath, [cliBin, ...args], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      let visible = 0;
      while (visible < 40 && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 20));
        visible = await kb.count();
      }
      child.kill('SIGKILL');
      expect(await exited, stderr).toBeNull(); // killed, not finished
      const afterKill = await kb.count();
      expect(afterKill).toBeGreaterThan(0);
      expect(afterKill).toBeLessThan(input.length);
      expect(afterKill % 4).toBe(0); // whole transactions only

      const r = await runCli([...args, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout) as { count: number; resumed: number; embedded: number; firstId: number };
      expect(summary.firstId).toBe(0);
      expect(summary.count).toBe(input.length);
      expect(summary.resumed).toBeGreaterThanOrEqual(afterKill);
      expect(summary.embedded).toBe(input.length - summary.resumed);
      expect(await kb.count()).toBe(input.length);
      const ids = Array.from({ length: input.length }, (_, i) => i);
      const stored = await kb.getPassages(ids);
      expect(stored.map((p) => p.id)).toEqual(ids);
      expect(stored.map((p) => JSON.stringify({ title: p.title, text: p.text }))).toEqual(input);
    } finally {
      await kb.close();
    }
  });

  it('rag serve --kb postgres://… serves the table: /retrieve gives the reference doc ids', async () => {
    await runCliJson(indexArgs('tiny-b', pg.url, 'served'));
    const server = spawn(process.execPath, [cliBin, 'serve', '--kb', pg.url, '--kb-name', 'served', '--index', 'exact', '--port', '0'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let text = '';
        server.stdout.on('data', (d: Buffer) => {
          text += d.toString();
          if (text.includes('\n')) resolve(text.trim());
        });
        server.once('exit', (code) => reject(new Error(`rag serve exited ${code}`)));
      });
      expect(line).toMatch(/^rag serve: served \(\d+ passages × 48\) on http:\/\/127\.0\.0\.1:\d+$/);
      const url = line.slice(line.lastIndexOf(' ') + 1);
      const q = readReference('tiny-b').per_question[0]!;
      const res = await fetch(`${url}/retrieve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ questionHiddenStates: [q.question_pooled], nDocs: q.doc_ids.length }) });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { docIds: number[][] }).docIds).toEqual([q.doc_ids]);
    } finally {
      server.kill('SIGTERM');
    }
  });

  it('typed one-line errors: Postgres down, a knowledge base of another model, --kb a folder for index', async () => {
    const down = await runCli(['ask', '--model', 'fixtures/tiny-a/model', '--kb', 'postgres://postgres@127.0.0.1:1/postgres', '--question', 'q']);
    expect(down.code).toBe(1);
    expect(down.stderr.trim()).toMatch(/^PostgresUnavailableError: Postgres at 127\.0\.0\.1:1 is unavailable/);

    // tiny-p's model has tiny-a's width but other weights: its embeddings cannot join tiny-a's.
    await runCliJson(indexArgs('tiny-a', pg.url, 'mixed'));
    const other = await runCli(indexArgs('tiny-p', pg.url, 'mixed'));
    expect(other.code).toBe(1);
    expect(other.stderr.trim()).toMatch(/^EmbeddingModelError: Embeddings come from model "sha256:[0-9a-f]{64}", but this knowledge base was built with "sha256:[0-9a-f]{64}"/);
    expect(other.stderr.trim().split('\n')).toHaveLength(1);

    const folder = await runCli(['index', '--model', 'fixtures/tiny-a/model', '--passages', 'fixtures/tiny-a/passages.jsonl', '--kb', 'some/folder']);
    expect(folder.code).toBe(2);
    expect(folder.stderr.trim()).toMatch(/^UsageError: rag index: --kb takes a postgres:\/\/ URL/);
  });
});

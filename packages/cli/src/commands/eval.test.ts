import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy } from '@rag-web/retriever';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, readReference } from '../../../../test/fixture-files.js';
import { CLI_TEST_TIMEOUT, ensureCliBuilt, indexFixture, runCli, runCliJson, tempDir } from '../../test/run-cli.js';
import { exactMatch, passageHasAnswer } from '../squad.js';
import type { EvalReport } from './eval.js';

const CASE = 'tiny-a';

// The expected numbers come from the fixture files alone: transformers' generated texts and the
// exact top-k of the reference question vectors over passage_embeddings.npy.
describe(`rag eval on ${CASE}`, { timeout: CLI_TEST_TIMEOUT }, () => {
  const reference = readReference(CASE);
  const n = reference.per_question.length;
  const passages = readFileSync(fixturePath(`${CASE}/passages.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { title: string; text: string });
  const qa = readFileSync(fixturePath(`${CASE}/qa.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { question: string; answers: string[] });
  let kb = '';
  beforeAll(async () => {
    ensureCliBuilt();
    kb = await indexFixture(CASE, 'exact');
  }, CLI_TEST_TIMEOUT);

  /** Exact inner-product top-k of a reference question, ties to the lower id. */
  const topK = (pooled: number[], k: number): number[] => {
    const { rows, cols, data } = readNpy(new Uint8Array(readFileSync(fixturePath(`${CASE}/passage_embeddings.npy`))));
    const scores = Array.from({ length: rows }, (_, r) => pooled.reduce((s, x, j) => s + x * data[r * cols + j]!, 0));
    return scores
      .map((s, id) => ({ s, id }))
      .sort((a, b) => b.s - a.s || a.id - b.id)
      .slice(0, k)
      .map((x) => x.id);
  };
  const expected = (k: number, answers = qa.map((p) => p.answers)) => ({
    hits: reference.per_question.filter((q, i) => topK(q.question_pooled, k).some((id) => passageHasAnswer(passages[id]!, answers[i]!))).length,
    matches: reference.per_question.reduce((m, q, i) => m + exactMatch(q.generate_text.token_greedy_len12![0]!, answers[i]!), 0),
  });
  const evalArgs = (k: number, qaFile = `fixtures/${CASE}/qa.jsonl`) =>
    ['eval', '--model', `fixtures/${CASE}/model`, '--kb', kb, '--qa', qaFile, '--limit', String(n), '--k', String(k), '--num-beams', '1', '--max-length', '12'];
  const reportOf = (k: number, { hits, matches }: { hits: number; matches: number }): EvalReport => ({
    questions: n,
    k,
    recallAtK: hits / n,
    exactMatch: matches / n,
    retrievalHits: hits,
    exactMatches: matches,
    rag: 'token',
    nDocs: 4,
    decoding: 'free',
  });

  it('--json: recall@k and exact match of the greedy answers on qa.jsonl', async () => {
    expect(qa.slice(0, n).map((p) => p.question)).toEqual(reference.per_question.map((q) => q.question));
    for (const k of [4, 10]) expect(await runCliJson<EvalReport>(evalArgs(k))).toEqual([reportOf(k, expected(k))]);
  });

  it('--json: recall@k below 1 (each question given the next one\'s answers), for k below, at and above n_docs', async () => {
    const rotated = qa.slice(0, n).map((p, i) => ({ question: p.question, answers: qa[(i + 1) % n]!.answers }));
    const file = join(tempDir('qa'), 'rotated.jsonl');
    writeFileSync(file, rotated.map((r) => `${JSON.stringify(r)}\n`).join(''));
    for (const k of [1, 4, 50]) {
      const want = expected(k, rotated.map((r) => r.answers));
      expect(await runCliJson<EvalReport>(evalArgs(k, file))).toEqual([reportOf(k, want)]);
    }
    expect(expected(50, rotated.map((r) => r.answers)).hits).toBeGreaterThan(expected(1, rotated.map((r) => r.answers)).hits);
  });

  it('human output and a progress bar on stderr', async () => {
    const r = await runCli(evalArgs(4));
    expect(r.code, r.stderr).toBe(0);
    const { hits, matches } = expected(4);
    expect(r.stdout).toContain(`recall@4      ${(hits / n).toFixed(4)} (${hits}/${n})`);
    expect(r.stdout).toContain(`exact match   ${(matches / n).toFixed(4)} (${matches}/${n}, 4 docs, free decoding)`);
    expect(r.stdout).toMatch(/^model fixtures\/tiny-a\/model \(RAG-Token\) on onnxruntime-web 1\.30 \(WASM\)\n/);
    expect(r.stderr).toContain(`evaluating: ${n}/${n} (100%)`);
  });

  it('a malformed questions file is one line naming the line; --k above the passages is NotEnoughPassagesError', async () => {
    const file = join(tempDir('qa'), 'qa.jsonl');
    writeFileSync(file, '{"question": "q", "answers": ["a"]}\n\n{"question": "q2", "answers": "a"}\n');
    const bad = await runCli(['eval', '--model', `fixtures/${CASE}/model`, '--kb', kb, '--qa', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe(`InputFileError: ${file} line 3: "answers" must be an array of strings`);
    const big = await runCli(['eval', '--model', `fixtures/${CASE}/model`, '--kb', kb, '--qa', `fixtures/${CASE}/qa.jsonl`, '--k', '1000']);
    expect(big.code).toBe(1);
    expect(big.stderr.trim()).toMatch(/^NotEnoughPassagesError: nDocs = 1000 documents per question were requested, but the knowledge base holds only 259 passages\.$/);
  });
});

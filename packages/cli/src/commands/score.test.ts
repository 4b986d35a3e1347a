import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../../../../test/expect-close.js';
import { FIXTURE_CASES, readReference, type ReferenceQuestion } from '../../../../test/fixture-files.js';
import { tolerances } from '../../../../test/tolerances.js';
import { CLI_TEST_TIMEOUT, ensureCliBuilt, indexFixture, runCliJson } from '../../test/run-cli.js';
import type { ScoreRecord } from './score.js';

/** Each loss of reference.json and the rag score flags that compute it (fixtures/README.md). */
const LOSSES: Record<string, string[]> = {
  token_loss: ['--rag', 'token'],
  token_loss_reduced: ['--rag', 'token', '--reduce-loss'],
  token_loss_smooth01: ['--rag', 'token', '--reduce-loss', '--label-smoothing', '0.1'],
  seq_loss: ['--rag', 'sequence'],
  seq_loss_reduced: ['--rag', 'sequence', '--reduce-loss'],
  seq_loss_excl_bos_reduced: ['--rag', 'sequence', '--exclude-bos-score', '--reduce-loss'],
  seq_loss_smooth01: ['--rag', 'sequence', '--reduce-loss', '--label-smoothing', '0.1'],
};

describe.each(FIXTURE_CASES)('rag score on %s vs transformers (WASM)', (caseName) => {
  const reference = readReference(caseName);
  const stored = Object.keys(LOSSES).filter((key) => key in reference.per_question[0]!);
  let kb = '';
  beforeAll(async () => {
    ensureCliBuilt();
    kb = await indexFixture(caseName, 'exact');
  }, CLI_TEST_TIMEOUT);

  /** Every reference question with its reference answer, in one run. */
  const score = (flags: string[]) =>
    runCliJson<ScoreRecord>([
      'score',
      '--model',
      `fixtures/${caseName}/model`,
      '--kb',
      kb,
      ...reference.per_question.flatMap((q, i) => ['--question', q.question, '--answer', reference.answers[i]!]),
      ...flags,
    ]);

  describe.concurrent('losses', { timeout: CLI_TEST_TIMEOUT }, () => {
    for (const key of stored) {
      it(`${key}: labels exactly, loss within ${tolerances.wasm.loss.rel} relative`, async () => {
        const records = await score(LOSSES[key]!);
        records.forEach((r, i) => {
          const q = reference.per_question[i]!;
          expect(r.labels).toEqual(q.labels);
          expect(r.docIds).toEqual(q.doc_ids);
          expectClose([r.loss], [q[key as keyof ReferenceQuestion] as number], tolerances.wasm.loss, `${q.question}: ${key}`);
          if (r.rag === 'token') {
            expectClose(r.marginalizedLogitsLast!, q.token_marginalized_logits_last, tolerances.wasm.logits, `${q.question}: marginalizedLogitsLast`);
          } else {
            expect(r).not.toHaveProperty('marginalizedLogitsLast');
          }
        });
      });
    }
  });
});

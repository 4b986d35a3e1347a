import { logitsEditsRef, type RowEdit } from '@rag-web/core';
import { describe, expect, it } from 'vitest';
import { denseApply } from '../../test/dense-generation.js';
import { seededRandom as rng } from '../../../../test/seeded-random.js';
import { foldRowEdits } from './logits-edits.js';
import { LogitsProcessorList } from './logits-processor-list.js';
import {
  ForcedBOSTokenLogitsProcessor,
  ForcedEOSTokenLogitsProcessor,
  MinLengthLogitsProcessor,
  NoBadWordsLogitsProcessor,
  NoRepeatNGramLogitsProcessor,
  PrefixConstrainedLogitsProcessor,
  type LogitsProcessor,
} from './logits-processors.js';

const NEG = -Infinity;

function randomScores(rand: () => number, n: number): Float32Array {
  // Log-prob-like values, a few already -inf (a processor may run after another one banned them).
  return Float32Array.from({ length: n }, () => (rand() < 0.05 ? NEG : -20 * rand()));
}

/** The edits applied as the product's CPU path applies them (core's reference, beam score 0). */
function applyEdits(edits: ReadonlyArray<RowEdit | undefined>, scores: Float32Array, vocab: number): Float32Array {
  const rows = scores.length / vocab;
  return logitsEditsRef(scores, new Float32Array(rows), edits, { rows, vocab });
}

describe('foldRowEdits', () => {
  it('folds edits of one row in processor order', () => {
    const cases: Array<[RowEdit[], RowEdit]> = [
      // A ban before a force is overwritten (ForcedEOS after NoRepeatNGram banned EOS).
      [[{ ban: [2] }, { force: [2] }], { force: [2] }],
      // A ban after a force removes the forced token: the row is all -inf.
      [[{ force: [2] }, { ban: [2] }], { force: [] }],
      // Bans before an allow-list shrink it; bans after it too.
      [[{ ban: [1, 4] }, { allow: [1, 2, 3] }, { ban: [3] }], { allow: [2] }],
      [[{ ban: [5, 0] }, { ban: [5] }], { ban: [0, 5] }],
      // An allow-list after a force keeps only the forced tokens it allows.
      [[{ force: [1, 2] }, { allow: [2, 3] }], { force: [2] }],
      // Several forced tokens (ForcedEOS with an EOS list), ids ascending as every edit's.
      [[{ allow: [4] }, { force: [2, 0] }], { force: [0, 2] }],
    ];
    for (const [edits, expected] of cases) {
      expect(edits.reduce<RowEdit | undefined>((a, e) => foldRowEdits(a, e), undefined)).toEqual(expected);
      // One folded edit does what the edits do one after another.
      const scores = Float32Array.from({ length: 6 }, (_, i) => -0.5 - i);
      const stepwise = edits.reduce<Float32Array>((s, e) => applyEdits([e], s, 6), scores);
      expect([...applyEdits([expected], scores, 6)]).toEqual([...stepwise]);
    }
  });

  it('gives exactly what the dense processors give, for each processor and for lists of them, on random rows', () => {
    const V = 7;
    const rand = rng(20240601);
    const make = (): LogitsProcessor[] => [
      new NoRepeatNGramLogitsProcessor(2),
      new NoRepeatNGramLogitsProcessor(3),
      new NoBadWordsLogitsProcessor([[6], [3, 4], [1, 2, 5]], 2),
      new MinLengthLogitsProcessor(4, [2, 5]),
      new PrefixConstrainedLogitsProcessor((batchId, ids) => [(batchId + (ids.at(-1) ?? 0)) % V, 2, 4], 2),
      new ForcedBOSTokenLogitsProcessor(0),
      new ForcedEOSTokenLogitsProcessor(4, 2),
      new ForcedEOSTokenLogitsProcessor(5, [2, 0, 6]),
    ];
    let checked = 0;
    for (let trial = 0; trial < 300; trial++) {
      const curLen = 1 + Math.floor(rand() * 6);
      const rows = 4;
      const inputIds = Array.from({ length: rows }, () => Array.from({ length: curLen }, () => Math.floor(rand() * 4) + 1));
      const all = make();
      // A random subset in a random order: order matters (a force then a ban differs from the reverse).
      const chosen = all.filter(() => rand() < 0.5).sort(() => rand() - 0.5);
      for (const p of [...all, new LogitsProcessorList(chosen)]) {
        const dense = randomScores(rand, rows * V);
        const viaEdits = applyEdits(p.edits(inputIds, V), dense, V);
        denseApply(p, inputIds, dense, V);
        expect(Array.from(viaEdits)).toEqual(Array.from(dense));
        checked++;
      }
    }
    expect(checked).toBe(300 * 9);
  });
});

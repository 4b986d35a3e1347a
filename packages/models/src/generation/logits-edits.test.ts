import { describe, expect, it } from 'vitest';
import { applyLogitsEdits, compactLogitsEdits, type LogitsEdit } from './logits-edits.js';
import {
  ForcedBOSTokenLogitsProcessor,
  ForcedEOSTokenLogitsProcessor,
  MinLengthLogitsProcessor,
  NoBadWordsLogitsProcessor,
  NoRepeatNGramLogitsProcessor,
  PrefixConstrainedLogitsProcessor,
  type LogitsProcessor,
} from './logits-processors.js';
import { LogitsProcessorList } from './logits-processor-list.js';
import { seededRandom as rng } from '../../../../test/seeded-random.js';

const NEG = -Infinity;

function randomScores(rand: () => number, n: number): Float32Array {
  // Log-prob-like values, a few already -inf (a processor may run after another one banned them).
  return Float32Array.from({ length: n }, () => (rand() < 0.05 ? NEG : -20 * rand()));
}

describe('LogitsEdit', () => {
  it('applies ban, allowOnly and force with the documented meaning', () => {
    const s = Float32Array.from([-1, -2, -3, -4, -5, -6, -7, -8, -9]);
    applyLogitsEdits(
      [
        { row: 0, kind: 'ban', tokenIds: [1] },
        { row: 1, kind: 'allowOnly', tokenIds: [0, 2] },
        { row: 2, kind: 'force', tokenIds: [1] },
      ],
      s,
      3,
    );
    expect(Array.from(s)).toEqual([-1, NEG, -3, -4, NEG, -6, NEG, 0, NEG]);
  });

  it('compacts each row to one edit, keeping the order semantics', () => {
    const cases: Array<[LogitsEdit[], LogitsEdit[]]> = [
      // A ban before a force is overwritten (ForcedEOS after NoRepeatNGram banned EOS).
      [
        [
          { row: 0, kind: 'ban', tokenIds: [2] },
          { row: 0, kind: 'force', tokenIds: [2] },
        ],
        [{ row: 0, kind: 'force', tokenIds: [2] }],
      ],
      // A ban after a force removes the forced token: the row is all -inf.
      [
        [
          { row: 0, kind: 'force', tokenIds: [2] },
          { row: 0, kind: 'ban', tokenIds: [2] },
        ],
        [{ row: 0, kind: 'force', tokenIds: [] }],
      ],
      // Bans before an allow-list shrink it; bans after it too.
      [
        [
          { row: 1, kind: 'ban', tokenIds: [1, 4] },
          { row: 1, kind: 'allowOnly', tokenIds: [1, 2, 3] },
          { row: 1, kind: 'ban', tokenIds: [3] },
          { row: 0, kind: 'ban', tokenIds: [5, 0, 5] },
        ],
        [
          { row: 0, kind: 'ban', tokenIds: [0, 5] },
          { row: 1, kind: 'allowOnly', tokenIds: [2] },
        ],
      ],
      // An allow-list after a force keeps only the forced tokens it allows.
      [
        [
          { row: 0, kind: 'force', tokenIds: [1, 2] },
          { row: 0, kind: 'allowOnly', tokenIds: [2, 3] },
        ],
        [{ row: 0, kind: 'force', tokenIds: [2] }],
      ],
    ];
    for (const [edits, expected] of cases) {
      expect(compactLogitsEdits(edits)).toEqual(expected);
      const a = Float32Array.from({ length: 12 }, (_, i) => -0.5 - i);
      const b = a.slice();
      applyLogitsEdits(edits, a, 6);
      applyLogitsEdits(compactLogitsEdits(edits), b, 6);
      expect(Array.from(b)).toEqual(Array.from(a));
    }
  });

  it('gives exactly what apply gives, for each processor and for lists of them, on random rows', () => {
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
    ];
    let checked = 0;
    for (let trial = 0; trial < 300; trial++) {
      const curLen = 1 + Math.floor(rand() * 6);
      const rows = 4;
      const inputIds = Array.from({ length: rows }, () => Array.from({ length: curLen }, () => Math.floor(rand() * 4) + 1));
      const all = make();
      // A random subset in a random order: order matters (a force then a ban differs from the reverse).
      const chosen = all.filter(() => rand() < 0.5).sort(() => rand() - 0.5);
      const candidates: LogitsProcessor[] = [...all, new LogitsProcessorList(chosen)];
      for (const p of candidates) {
        const dense = randomScores(rand, rows * V);
        const viaEdits = dense.slice();
        p.apply(inputIds, dense, V);
        const edits = p.edits(inputIds, V);
        applyLogitsEdits(edits, viaEdits, V);
        expect(Array.from(viaEdits)).toEqual(Array.from(dense));
        if (p instanceof LogitsProcessorList) expect(new Set(edits.map((e) => e.row)).size).toBe(edits.length);
        checked++;
      }
    }
    expect(checked).toBe(300 * 8);
  });
});

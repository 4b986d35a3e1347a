import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../errors.js';
import { logitsEditsRef } from './logits-edits.ref.js';
import { packRowEdits } from './logits-edits.validate.js';

describe('logitsEditsRef', () => {
  const scores = new Float32Array([-1, -2, -3, -4, /* row 1 */ -0.5, -1.5, -2.5, -3.5, /* row 2 */ -1, -1, -1, -1]);
  const shape = { rows: 3, vocab: 4 };

  it('bans, allows and forces per row, then adds the beam score', () => {
    const out = logitsEditsRef(scores, [10, 20, 30], [{ ban: [1, 3] }, { allow: [2, 3], ban: [3] }, { force: 2, ban: [2] }], shape);
    expect([...out]).toEqual([9, -Infinity, 7, -Infinity, -Infinity, -Infinity, 17.5, -Infinity, -Infinity, -Infinity, 30, -Infinity]);
  });

  it('leaves rows without edits unchanged apart from the beam score', () => {
    expect([...logitsEditsRef(scores, [0, 1, 0], [], shape)]).toEqual([...scores].map((s, i) => s + (i >= 4 && i < 8 ? 1 : 0)));
  });

  it('rejects token ids outside the vocabulary and wrong beam score counts', () => {
    expect(() => logitsEditsRef(scores, [0, 0, 0], [{ ban: [4] }], shape)).toThrow(ShapeError);
    expect(() => logitsEditsRef(scores, [0, 0], [], shape)).toThrow(/beam scores/);
  });

  it('packs lists contiguously with NONE markers for absent allow lists and forces', () => {
    const { specs, tokens } = packRowEdits(2, [{ ban: [5], allow: [1, 2] }, undefined]);
    expect([...specs]).toEqual([0, 1, 1, 2, 0xffffffff, 3, 0, 3, 0xffffffff, 0xffffffff]);
    expect([...tokens]).toEqual([5, 1, 2]);
  });
});

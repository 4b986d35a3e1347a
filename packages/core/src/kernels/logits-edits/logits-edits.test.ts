import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../errors.js';
import { logitsEditsRef } from './logits-edits.ref.js';
import { packRowEdits } from './logits-edits.validate.js';

describe('logitsEditsRef', () => {
  const scores = new Float32Array([-1, -2, -3, -4, /* row 1 */ -0.5, -1.5, -2.5, -3.5, /* row 2 */ -1, -1, -1, -1]);
  const shape = { rows: 3, vocab: 4 };

  it('bans, allows and forces per row, then adds the beam score', () => {
    const out = logitsEditsRef(scores, [10, 20, 30], [{ ban: [1, 3] }, { allow: [2, 3], ban: [3] }, { force: [2], ban: [2] }], shape);
    expect([...out]).toEqual([9, -Infinity, 7, -Infinity, -Infinity, -Infinity, 17.5, -Infinity, -Infinity, -Infinity, 30, -Infinity]);
  });

  it('forces several tokens at once (ForcedEOS with an EOS list), each at 0, and an empty force bans the row', () => {
    const out = logitsEditsRef(scores, [0, 1, 2], [{ force: [0, 3] }, { force: [] }, undefined], shape);
    expect([...out]).toEqual([0, -Infinity, -Infinity, 0, -Infinity, -Infinity, -Infinity, -Infinity, 1, 1, 1, 1]);
  });

  it('leaves rows without edits unchanged apart from the beam score', () => {
    expect([...logitsEditsRef(scores, [0, 1, 0], [], shape)]).toEqual([...scores].map((s, i) => s + (i >= 4 && i < 8 ? 1 : 0)));
  });

  it('rejects token ids outside the vocabulary and wrong beam score counts', () => {
    expect(() => logitsEditsRef(scores, [0, 0, 0], [{ ban: [4] }], shape)).toThrow(ShapeError);
    expect(() => logitsEditsRef(scores, [0, 0], [], shape)).toThrow(/beam scores/);
  });

  it('packs lists contiguously with NONE markers for absent allow and force lists', () => {
    const { specs, tokens } = packRowEdits(3, [{ ban: [5], allow: [1, 2] }, undefined, { force: [2, 0] }]);
    const none = 0xffffffff;
    expect([...specs]).toEqual([0, 1, 1, 2, 3, none, /* row 1 */ 3, 0, 3, none, 3, none, /* row 2 */ 3, 0, 3, none, 3, 2]);
    expect([...tokens]).toEqual([5, 1, 2, 2, 0]);
  });
});

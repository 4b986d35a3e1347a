import { describe, expect, it } from 'vitest';
import { exactMatch, normalizeAnswer, passageHasAnswer } from './squad.js';

describe('SQuAD normalization', () => {
  it('lower-cases, drops punctuation and articles, collapses whitespace', () => {
    expect(normalizeAnswer('  The "del"  Statement, an  example! ')).toBe('del statement example');
    expect(normalizeAnswer('Theory of a thing')).toBe('theory of thing');
    expect(normalizeAnswer('***')).toBe('');
  });

  it('exact match takes the best gold answer', () => {
    expect(exactMatch('the Eiffel tower.', ['Big Ben', 'Eiffel Tower'])).toBe(1);
    expect(exactMatch('Eiffel', ['Eiffel Tower'])).toBe(0);
  });

  it('has-answer matches whole normalized words of title and text only', () => {
    const p = { title: 'del', text: 'The "del" statement ******* Deletion is recursively defined' };
    expect(passageHasAnswer(p, ['del / The "del" statement'])).toBe(true);
    expect(passageHasAnswer(p, ['recursive'])).toBe(false);
    expect(passageHasAnswer(p, ['***'])).toBe(false);
  });
});

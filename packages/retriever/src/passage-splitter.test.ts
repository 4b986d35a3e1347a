import { describe, expect, it } from 'vitest';
import { splitIntoPassages } from './passage-splitter.js';

describe('splitIntoPassages', () => {
  it('splits on whitespace into fixed-size word runs and keeps titles', () => {
    const text = Array.from({ length: 7 }, (_, i) => `w${i}`).join('  \n ');
    expect(splitIntoPassages([{ title: 'T', text }], 3)).toEqual([
      { title: 'T', text: 'w0 w1 w2' },
      { title: 'T', text: 'w3 w4 w5' },
      { title: 'T', text: 'w6' },
    ]);
  });

  it('yields nothing for an empty document and rejects a bad size', () => {
    expect(splitIntoPassages([{ title: 'E', text: '   ' }])).toEqual([]);
    expect(() => splitIntoPassages([], 0)).toThrow(RangeError);
  });
});

import { describe, expect, it } from 'vitest';
import { MalformedPassagesError } from './errors.js';
import { passagesOf } from './ingest.js';
import { parsePassagesJson, parsePassagesJsonl } from './passage-input.js';

describe('passage input parsing', () => {
  it('reads JSONL with optional ids (= line numbers) and embeddings, CRLF and trailing blank lines', () => {
    const text = '{"id": "0", "title": "a", "text": "x"}\r\n{"title": "b", "text": "y", "embeddings": [1, 2]}\n\n';
    const rows = parsePassagesJsonl(text);
    expect(rows).toEqual([{ title: 'a', text: 'x' }, { title: 'b', text: 'y', embedding: Float32Array.from([1, 2]) }]);
  });

  it('names the 1-based line of the first bad record', () => {
    const cases: Array<[string, number, RegExp]> = [
      ['{"title": "a", "text": "x"}\n{"title": 1, "text": "y"}', 2, /"title" must be a string/],
      ['{"title": "a", "text": "x"}\n\n{"title": "b", "text": "y"}', 2, /empty line/],
      ['{"title": "a", "text": "x"}\n{"title": "a", "text": "x", "id": 5}', 2, /0-based line numbers \(1\)/],
      ['not json', 1, /invalid JSON/],
      ['[1]', 1, /object/],
      ['{"title": "a", "text": "x", "embeddings": [1, "2"]}', 1, /finite numbers/],
    ];
    for (const [text, line, reason] of cases) {
      const err = (() => {
        try {
          parsePassagesJsonl(text);
        } catch (e) {
          return e;
        }
      })() as MalformedPassagesError;
      expect(err).toBeInstanceOf(MalformedPassagesError);
      expect(err.line).toBe(line);
      expect(err.message).toMatch(reason);
      expect(err.details).toMatchObject({ line });
    }
  });

  it('reads JSON arrays and raw documents split into 100-word passages', () => {
    expect(parsePassagesJson('[{"title": "t", "text": "x"}]')).toEqual([{ title: 't', text: 'x' }]);
    expect(() => parsePassagesJson([{ title: 't' }])).toThrow(/item 1: "text"/);
    const words = Array.from({ length: 250 }, (_, i) => `w${i}`).join(' ');
    const split = passagesOf({ documents: [{ title: 'Doc', text: words }] });
    expect(split.map((p) => p.text.split(' ').length)).toEqual([100, 100, 50]);
    expect(split.every((p) => p.title === 'Doc')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { passagesOf } from './documents.js';
import { DemoInputError } from './errors.js';

describe('documents added in the page', () => {
  const request = (file: File) => ({ knowledgeBase: 'docs', documents: [], files: [file] });

  it('a file that is not UTF-8 is refused with its name and line, not stored as U+FFFD', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('first line\nsecond line\ncaf'), 0xe9, ...new TextEncoder().encode(' au lait\n')]);
    const err = await passagesOf(request(new File([bytes], 'notes.txt'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DemoInputError);
    expect((err as Error).message).toBe('notes.txt is not UTF-8 text (invalid bytes on line 3): save it as UTF-8 and add it again.');
  });

  it('a UTF-8 byte-order mark is dropped (JSONL records parse; text starts clean)', async () => {
    const bom = '\uFEFF';
    const [jsonl] = await passagesOf(request(new File([`${bom}{"title": "a", "text": "b c"}\n`], 'p.jsonl')));
    expect(jsonl).toMatchObject({ title: 'a', text: 'b c' });
    const [txt] = await passagesOf(request(new File([`${bom}hello world`], 'hello.txt')));
    expect(txt).toMatchObject({ title: 'hello', text: 'hello world' });
  });
});

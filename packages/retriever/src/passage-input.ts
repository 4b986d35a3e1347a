import { MalformedPassagesError } from './errors.js';

/** One passage to ingest; `embedding` when it was computed ahead of time (HF's `embeddings` column). */
export interface PassageInput {
  title: string;
  text: string;
  embedding?: Float32Array;
}

/**
 * Parses a JSONL passages file: one `{ "title": …, "text": … }` object per line, optionally with
 * `embeddings` (or `embedding`), an array of numbers, and `id`, which must then be the line's
 * 0-based number (the layout of HF passages files: doc id = line number). Trailing blank lines
 * are allowed; a blank line in between would shift every later id and is an error. The whole
 * text is checked before anything is returned, so a bad line means nothing gets written.
 */
export function parsePassagesJsonl(text: string): PassageInput[] {
  const lines = withoutBom(text).split('\n');
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines.map((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') throw new MalformedPassagesError(i + 1, 'empty line (doc ids are line numbers, so blank lines are not allowed)');
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new MalformedPassagesError(i + 1, `invalid JSON (${(err as Error).message})`);
    }
    return checkRecord(value, i, 'line');
  });
}

/** A JSON array of the same records (a string, or already parsed); `line` in errors is the 1-based item number. */
export function parsePassagesJson(json: string | unknown[]): PassageInput[] {
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(withoutBom(json));
    } catch (err) {
      throw new MalformedPassagesError(1, `invalid JSON (${(err as Error).message})`);
    }
  }
  if (!Array.isArray(value)) throw new MalformedPassagesError(1, 'expected a JSON array of { title, text } objects');
  return value.map((v, i) => checkRecord(v, i, 'item'));
}

/** Editors on Windows start UTF-8 files with a byte-order mark; JSON.parse rejects it. */
function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function checkRecord(value: unknown, index: number, unit: 'line' | 'item'): PassageInput {
  const n = index + 1;
  const fail = (reason: string): never => {
    throw new MalformedPassagesError(n, unit === 'item' ? `item ${n}: ${reason}` : reason);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('expected a { "title", "text" } object');
  const r = value as Record<string, unknown>;
  if (typeof r.title !== 'string') fail('"title" must be a string');
  if (typeof r.text !== 'string') fail('"text" must be a string');
  if (r.id !== undefined && String(r.id) !== String(index)) fail(`"id" is ${JSON.stringify(r.id)}, but doc ids are 0-based line numbers (${index})`);
  const out: PassageInput = { title: r.title as string, text: r.text as string };
  const emb = r.embeddings ?? r.embedding;
  if (emb !== undefined) {
    if (!Array.isArray(emb) || emb.length === 0 || emb.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      fail('"embeddings" must be a non-empty array of finite numbers');
    }
    out.embedding = Float32Array.from(emb as number[]);
  }
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A file's bytes as UTF-8 text (a leading BOM dropped), or the 1-based line of the first bytes that
 * are not UTF-8: callers refuse such a file with their own typed error instead of storing U+FFFD.
 */
export function decodeUtf8(bytes: Uint8Array): { text: string } | { invalidLine: number } {
  try {
    return { text: strictUtf8.decode(bytes) };
  } catch {
    const lenient = new TextDecoder('utf-8').decode(bytes);
    return { invalidLine: lenient.slice(0, lenient.indexOf('\uFFFD')).split('\n').length };
  }
}

import { readFile, stat } from 'node:fs/promises';
import { decodeUtf8, parsePassagesJsonl, readNpy, type NpyMatrix, type PassageInput } from '@rag-web/retriever';
import { InputFileError } from './errors.js';

/** A question with its gold answers, one line of a `qa.jsonl` file. */
export interface QaPair {
  question: string;
  answers: string[];
}

/** The bytes of an input file; a missing or unreadable one is an InputFileError naming it and its role. */
export async function readInputFile(path: string, role: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') throw new InputFileError(`${role} file ${path} not found`, { path });
    if (code === 'EISDIR') throw new InputFileError(`${role} file ${path} is a folder, not a file`, { path });
    throw new InputFileError(`cannot read ${role} file ${path}: ${(err as Error).message}`, { path });
  }
}

/**
 * An input file as text: UTF-8, a leading byte-order mark dropped (TextDecoder's default). Bytes
 * that are not UTF-8 are an InputFileError naming the line, not U+FFFD stored in their place.
 */
export async function readTextFile(path: string, role: string): Promise<string> {
  const decoded = decodeUtf8(await readInputFile(path, role));
  if ('text' in decoded) return decoded.text;
  const line = decoded.invalidLine;
  throw new InputFileError(`${role} file ${path} is not UTF-8 text (invalid bytes on line ${line}); save it as UTF-8`, { path, line });
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** `{title, text}` per line, doc id = 0-based line number; errors name the file and the line. */
export async function readPassagesFile(path: string): Promise<PassageInput[]> {
  const text = await readTextFile(path, 'passages');
  try {
    return parsePassagesJsonl(text);
  } catch (err) {
    if (err instanceof Error) err.message = `${path}: ${err.message}`;
    throw err;
  }
}

/** A float32 (N × d) `.npy`; any format problem is an InputFileError naming the file. */
export async function readEmbeddingsFile(path: string): Promise<NpyMatrix> {
  const bytes = await readInputFile(path, 'embeddings');
  try {
    return readNpy(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
  } catch (err) {
    throw new InputFileError((err as Error).message, { path });
  }
}

/** `{"question": …, "answers": [ … ]}` per line; blank lines are skipped, line numbers are 1-based. */
export async function readQaFile(path: string): Promise<QaPair[]> {
  const lines = (await readTextFile(path, 'questions')).split('\n');
  const pairs: QaPair[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const fail = (reason: string): never => {
      throw new InputFileError(`${path} line ${i + 1}: ${reason}`, { path, line: i + 1 });
    };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      fail(`invalid JSON (${(err as Error).message})`);
    }
    const r = value as { question?: unknown; answers?: unknown };
    if (typeof r !== 'object' || r === null || Array.isArray(r)) fail('expected a {"question", "answers"} object');
    if (typeof r.question !== 'string' || r.question.trim() === '') fail('"question" must be a non-empty string');
    if (!Array.isArray(r.answers) || r.answers.some((a) => typeof a !== 'string')) fail('"answers" must be an array of strings');
    pairs.push({ question: r.question as string, answers: r.answers as string[] });
  });
  if (pairs.length === 0) throw new InputFileError(`${path} holds no questions`, { path });
  return pairs;
}

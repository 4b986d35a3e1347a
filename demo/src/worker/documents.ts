import { decodeUtf8, parsePassagesJsonl, splitIntoPassages, type PassageInput } from '@rag-web/retriever';
import type { AddDocumentsRequest, DocumentText } from './engine.js';
import { DemoInputError } from './errors.js';

/**
 * The passages to ingest for an "Add your documents" request: pasted documents and .txt/.md files
 * are documents (a .txt/.md file is titled by its name), .jsonl files hold `{ title, text }`
 * records. Everything is split DPR-style into passages of `wordsPerPassage` words (default 100),
 * except records that bring their own embedding, which are kept as they are.
 */
export async function passagesOf(request: AddDocumentsRequest): Promise<PassageInput[]> {
  const words = request.wordsPerPassage ?? 100;
  const documents: DocumentText[] = request.documents.filter((d) => d.text.trim() !== '');
  const given: PassageInput[] = [];
  for (const file of request.files) {
    const text = await utf8Text(file);
    const ext = /\.([^.]+)$/.exec(file.name)?.[1]?.toLowerCase();
    if (ext === 'txt' || ext === 'md' || ext === 'markdown') {
      documents.push({ title: file.name.replace(/\.[^.]+$/, ''), text });
    } else if (ext === 'jsonl') {
      for (const record of parsePassagesJsonl(text)) {
        if (record.embedding) given.push(record);
        else documents.push({ title: record.title, text: record.text });
      }
    } else {
      throw new DemoInputError(`${file.name}: only .txt, .md and .jsonl files can be added.`, { file: file.name });
    }
  }
  const passages = [...given, ...splitIntoPassages(documents, words)];
  if (passages.length === 0) throw new DemoInputError('Nothing to add: paste some text or choose .txt, .md or .jsonl files.');
  return passages;
}

/** A file's text; bytes that are not UTF-8 are refused with the line, not stored as U+FFFD (File.text() would). */
async function utf8Text(file: File): Promise<string> {
  const decoded = decodeUtf8(new Uint8Array(await file.arrayBuffer()));
  if ('text' in decoded) return decoded.text;
  const line = decoded.invalidLine;
  throw new DemoInputError(`${file.name} is not UTF-8 text (invalid bytes on line ${line}): save it as UTF-8 and add it again.`, { file: file.name, line });
}

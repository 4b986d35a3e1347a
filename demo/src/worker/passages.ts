import type { Embedder } from '@rag-web/core';
import type { KnowledgeBase } from '@rag-web/retriever';
import type { FindPassagesResult, PassageRecord } from './engine.js';
import { DemoInputError } from './errors.js';

/**
 * Passages whose title is `title` or starts with it, case-insensitively: exact matches first,
 * then in doc-id order, at most `limit`. The store has no title index, so this scans every live
 * passage (a few thousand read in well under a second).
 */
export async function findPassages(kb: KnowledgeBase, title: string, limit = 20): Promise<FindPassagesResult> {
  const wanted = title.trim().toLowerCase();
  if (wanted === '') throw new DemoInputError('Type the title (or its start) of the passages to look up.');
  const exact: PassageRecord[] = [];
  const prefix: PassageRecord[] = [];
  for await (const batch of kb.store.passages()) {
    for (const p of batch) {
      const t = p.title.toLowerCase();
      if (t.startsWith(wanted)) (t === wanted ? exact : prefix).push({ docId: p.id, title: p.title, text: p.text });
    }
  }
  return { passages: [...exact, ...prefix].slice(0, limit), total: exact.length + prefix.length };
}

/**
 * Replaces a passage's text, keeping its title: the new passage is embedded and committed
 * first, and only then the old one removed, so a failed embedding or write loses nothing (at
 * worst both stay). The new passage gets a new doc id; ids are never reused.
 */
export async function replacePassage(kb: KnowledgeBase, docId: number, text: string, embedder: Embedder): Promise<PassageRecord> {
  if (text.trim() === '') throw new DemoInputError('A passage cannot be empty: delete it instead.', { docId });
  const [old] = await kb.getPassages([docId]);
  const { firstId } = await kb.ingest({ passages: [{ title: old!.title, text }] }, { embedder });
  await kb.remove([docId]);
  return { docId: firstId, title: old!.title, text };
}

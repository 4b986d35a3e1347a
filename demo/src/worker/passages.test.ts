import { KnowledgeBase, MemoryBackend } from '@rag-web/retriever';
import { describe, expect, it } from 'vitest';
import { CountingEmbedder } from '../../../packages/retriever/test/fakes.js';
import { DemoInputError } from './errors.js';
import { findPassages, replacePassage } from './passages.js';

const titles = ['Frankfurt', 'France', 'Paris', 'FRANCE', 'Fort-de-France'];

async function smallKb(embedder: CountingEmbedder): Promise<KnowledgeBase> {
  const kb = await KnowledgeBase.open({ backend: new MemoryBackend('edit'), dimension: embedder.dimension, modelId: embedder.modelId, index: 'exact' });
  await kb.ingest({ passages: titles.map((title) => ({ title, text: `${title} text.` })) }, { embedder });
  return kb;
}

describe('findPassages', () => {
  it('matches the title exactly or as a prefix, case-insensitively, exact matches first', async () => {
    const kb = await smallKb(new CountingEmbedder(4));
    const ids = async (title: string, limit?: number) => (await findPassages(kb, title, limit)).passages.map((p) => p.docId);
    expect(await ids(' france ')).toEqual([1, 3]);
    expect(await ids('fr')).toEqual([0, 1, 3]);
    expect(await findPassages(kb, 'fr', 2)).toMatchObject({ total: 3, passages: [{ docId: 0 }, { docId: 1 }] });
    expect((await findPassages(kb, 'Paris')).passages).toEqual([{ docId: 2, title: 'Paris', text: 'Paris text.' }]);
    expect(await ids('Lyon')).toEqual([]);
    await expect(findPassages(kb, '  ')).rejects.toBeInstanceOf(DemoInputError);
  });
});

describe('replacePassage', () => {
  it('stores the new text under a new doc id, embedded by the encoder, keeps the title and removes the old passage', async () => {
    const embedder = new CountingEmbedder(4);
    const kb = await smallKb(embedder);
    const before = embedder.embedded;
    const saved = await replacePassage(kb, 1, 'France text, edited.', embedder);
    expect(saved).toEqual({ docId: 5, title: 'France', text: 'France text, edited.' });
    expect(embedder.embedded - before).toBe(1);
    expect(kb.size).toBe(titles.length);
    expect((await findPassages(kb, 'France')).passages.map((p) => [p.docId, p.text])).toEqual([
      [3, 'FRANCE text.'],
      [5, 'France text, edited.'],
    ]);
    // The old passage is gone for good: editing it again is a typed error.
    await expect(replacePassage(kb, 1, 'again', embedder)).rejects.toMatchObject({ name: 'UnknownPassageError' });
    await expect(replacePassage(kb, 5, ' ', embedder)).rejects.toBeInstanceOf(DemoInputError);
  });
});

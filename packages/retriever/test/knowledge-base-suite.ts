// One parameterised suite over the storage back-ends (memory, IndexedDB: fake in Node, real in
// Chromium) and both indexes: ingest, reload without re-embedding, delete, crash and resume,
// and bad input — each failure a typed error with the data that was there intact.
import { afterEach, describe, expect, it } from 'vitest';
import {
  EmbeddingDimensionError,
  EmptyKnowledgeBaseError,
  MalformedPassagesError,
  NotEnoughPassagesError,
  StorageQuotaError,
  UnknownPassageError,
} from '../src/errors.js';
import type { IngestEvent } from '@rag-web/core';
import { KnowledgeBase } from '../src/knowledge-base.js';
import type { StoreBackend } from '../src/store-backend.js';
import { CountingEmbedder, FailingBackend, QuotaIdbBackend, passagesJsonl, quotaExceeded, vectorFor } from './fakes.js';

export interface BackendFactory {
  label: string;
  /** A back-end for `name`; called again with the same name it must reach the same data (a reload). */
  backend(name: string): StoreBackend;
}

const D = 16;

export function knowledgeBaseSuite(factory: BackendFactory, indexKind: 'hnsw' | 'exact', device: () => GPUDevice | null = () => null): void {
  describe(`KnowledgeBase on ${factory.label} with the ${indexKind} index`, () => {
    const opened: KnowledgeBase[] = [];
    let seq = 0;
    const freshName = () => `${factory.label}-${indexKind}-${Date.now()}-${seq++}`;
    const open = async (name: string, backend: StoreBackend = factory.backend(name), dimension = D) => {
      const kb = await KnowledgeBase.open({ backend, dimension, index: indexKind, device: device(), hnsw: { efSearch: 64 } });
      opened.push(kb);
      return kb;
    };
    /** Closes `kb` and opens its store again with a fresh index object: a page reload. */
    const reload = async (kb: KnowledgeBase, name: string) => {
      await kb.close();
      return open(name);
    };
    const query = (text: string) => vectorFor(text, D);

    afterEach(async () => {
      for (const kb of opened.splice(0)) await kb.destroy().catch(() => undefined);
    });

    it('ingests with progress, then a reload answers the same without embedding anything', async () => {
      const name = freshName();
      const embedder = new CountingEmbedder(D);
      const kb = await open(name);
      const events: IngestEvent[] = [];
      const res = await kb.ingest({ jsonl: passagesJsonl(10) }, { embedder, batchSize: 4, onProgress: (e) => events.push(e) });
      expect(res).toEqual({ firstId: 0, count: 10, resumed: 0, embedded: 10 });
      expect(embedder.embedded).toBe(10);
      const done = events.filter((e) => e.status === 'progress').map((e) => (e as { done: number }).done);
      expect(done).toEqual([4, 8, 10]);
      expect(events.at(-1)).toMatchObject({ status: 'done', total: 10 });
      const q = query('title 3\u0000passage number 3 about topic 3');
      const before = await kb.search(q, 3);
      expect(before.ids[0]).toBe(3);
      const generation = kb.manifest.generation;

      const again = await reload(kb, name);
      expect(embedder.calls).toBe(3);
      expect(again.size).toBe(10);
      expect(again.manifest.generation).toBe(generation); // nothing rebuilt or rewritten on open
      const after = await again.search(q, 3);
      expect([...after.ids]).toEqual([...before.ids]);
      expect((await again.getPassages([3]))[0]).toMatchObject({ id: 3, title: 'title 3' });
      expect(await again.verify()).toEqual({ ok: true, problems: [] });
    });

    it('a removed passage never comes back, also after a reload; its id is not reused', async () => {
      const name = freshName();
      const embedder = new CountingEmbedder(D);
      const kb = await open(name);
      await kb.ingest({ jsonl: passagesJsonl(8) }, { embedder });
      await kb.remove([5]);
      expect(kb.size).toBe(7);
      const q = query('title 5\u0000passage number 5 about topic 5');
      expect([...(await kb.search(q, 7)).ids]).not.toContain(5);
      const again = await reload(kb, name);
      expect(again.size).toBe(7);
      expect([...(await again.search(q, 7)).ids]).not.toContain(5);
      await expect(again.getPassages([5])).rejects.toThrow(UnknownPassageError);
      await expect(again.remove([5])).rejects.toThrow(UnknownPassageError);
      const added = await again.ingest({ jsonl: passagesJsonl(2, 100) }, { embedder });
      expect(added.firstId).toBe(8);
      expect(await again.verify()).toEqual({ ok: true, problems: [] });
    });

    it('an ingest aborted mid-way leaves a consistent store, and resuming embeds only the rest', async () => {
      const name = freshName();
      const embedder = new CountingEmbedder(D);
      const kb = await open(name);
      await kb.ingest({ jsonl: passagesJsonl(3, 500) }, { embedder });
      const controller = new AbortController();
      const input = { jsonl: passagesJsonl(20) };
      const run = kb.ingest(input, {
        embedder,
        batchSize: 5,
        signal: controller.signal,
        onProgress: (e) => {
          if (e.status === 'progress' && e.done === 10) controller.abort();
        },
      });
      await expect(run).rejects.toThrow(/abort/i);

      const reopened = await reload(kb, name);
      expect(reopened.size).toBe(3);
      expect(await reopened.verify()).toEqual({ ok: true, problems: [] });
      expect((await reopened.search(query('x'), 3)).ids.length).toBe(3);

      const before = embedder.embedded;
      const events: IngestEvent[] = [];
      const res = await reopened.ingest(input, { embedder, batchSize: 5, onProgress: (e) => events.push(e) });
      expect(res).toMatchObject({ firstId: 3, count: 20, resumed: 10, embedded: 10 });
      expect(events.map((e) => e.status)).toEqual(['parsed', 'resumed', 'progress', 'progress', 'indexing', 'done']);
      expect(events.filter((e) => e.status === 'resumed' || e.status === 'progress').map((e) => (e as { done: number }).done)).toEqual([10, 15, 20]);
      expect(embedder.embedded - before).toBe(10);
      expect(reopened.size).toBe(23);
      expect(await reopened.verify()).toEqual({ ok: true, problems: [] });
    });

    it('a write that throws part-way leaves the previous manifest valid; the same ingest resumes', async () => {
      const name = freshName();
      const failing = new FailingBackend(factory.backend(name));
      const embedder = new CountingEmbedder(D);
      const kb = await open(name, failing);
      await kb.ingest({ jsonl: passagesJsonl(4, 900) }, { embedder });
      failing.failOn(3, new Error('disk on fire'));
      const input = { jsonl: passagesJsonl(12) };
      await expect(kb.ingest(input, { embedder, batchSize: 3 })).rejects.toThrow('disk on fire');
      expect(kb.size).toBe(4);
      expect(await kb.verify()).toEqual({ ok: true, problems: [] });
      const again = await reload(kb, name);
      expect(again.size).toBe(4);
      const res = await again.ingest(input, { embedder, batchSize: 3 });
      expect(res).toMatchObject({ resumed: 6, count: 12 });
      expect(again.size).toBe(16);
      expect(await again.verify()).toEqual({ ok: true, problems: [] });
    });

    it('quota exceeded while storing is a StorageQuotaError and the knowledge base keeps its data', async () => {
      const name = freshName();
      const failing = new FailingBackend(factory.backend(name));
      const embedder = new CountingEmbedder(D);
      const kb = await open(name, failing);
      await kb.ingest({ jsonl: passagesJsonl(5) }, { embedder });
      const q = query('title 1\u0000passage number 1 about topic 1');
      const before = await kb.search(q, 5);
      for (const nth of [1, 2]) {
        // 1st write: the first batch; 2nd write: the index blob or the manifest (the commit).
        failing.failOn(nth, quotaExceeded());
        await expect(kb.ingest({ jsonl: passagesJsonl(4, 50) }, { embedder })).rejects.toThrow(StorageQuotaError);
        expect(kb.size).toBe(5);
        expect([...(await kb.search(q, 5)).ids]).toEqual([...before.ids]);
      }
      failing.failOn(1, quotaExceeded());
      await expect(kb.remove([0])).rejects.toThrow(StorageQuotaError);
      expect(kb.size).toBe(5);
      expect([...(await kb.search(q, 5)).ids]).toEqual([...before.ids]);
      const again = await reload(kb, name);
      expect(again.size).toBe(5);
      expect(await again.verify()).toEqual({ ok: true, problems: [] });
    });

    it('bad input is a typed error and writes nothing', async () => {
      const name = freshName();
      const embedder = new CountingEmbedder(D);
      const kb = await open(name);
      await expect(kb.search(query('q'), 1)).rejects.toThrow(EmptyKnowledgeBaseError);
      await kb.ingest({ jsonl: passagesJsonl(3) }, { embedder });
      const bad = `${passagesJsonl(2)}{"title": "t", "text": }\n${passagesJsonl(1)}`;
      const err = await kb.ingest({ jsonl: bad }, { embedder }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MalformedPassagesError);
      expect((err as MalformedPassagesError).line).toBe(3);
      expect((err as Error).message).toMatch(/line 3/);
      await expect(kb.ingest({ jsonl: passagesJsonl(2) }, { embedder: new CountingEmbedder(D + 1) })).rejects.toThrow(EmbeddingDimensionError);
      await expect(kb.ingest({ passages: [{ title: 't', text: 'x', embedding: new Float32Array(D - 1) }] })).rejects.toThrow(EmbeddingDimensionError);
      await expect(kb.search(query('q'), 4)).rejects.toThrow(NotEnoughPassagesError);
      expect(kb.size).toBe(3);
      expect(embedder.embedded).toBe(3);
      const again = await reload(kb, name);
      expect(again.size).toBe(3);
      expect(await again.verify()).toEqual({ ok: true, problems: [] });
      await again.close();
      await expect(open(name, factory.backend(name), D * 2)).rejects.toThrow(EmbeddingDimensionError);
    });
  });
}

/**
 * IndexedDB only: a put that throws inside the transaction (here a simulated QuotaExceededError)
 * aborts the whole transaction, so no passage of that batch lands.
 */
export function idbAtomicitySuite(): void {
  it('IndexedDB: a put that throws QuotaExceededError mid-transaction leaves none of the batch', async () => {
    // Puts 1–6: first batch + checkpoint, 7: manifest; the second batch's puts are 8–18.
    const backend = new QuotaIdbBackend(`atomic-${Date.now()}`, 13);
    const kb = await KnowledgeBase.open({ backend, dimension: D, index: 'exact' });
    const embedder = new CountingEmbedder(D);
    await kb.ingest({ jsonl: passagesJsonl(5) }, { embedder, batchSize: 5 });
    await expect(kb.ingest({ jsonl: passagesJsonl(10, 10) }, { embedder, batchSize: 10 })).rejects.toThrow(StorageQuotaError);
    expect(await backend.countIdRange(0, 1000)).toBe(5);
    expect(kb.size).toBe(5);
    expect(await kb.verify()).toEqual({ ok: true, problems: [] });
    await kb.destroy();
  });
}

import { describe, expect, it } from 'vitest';
import { CountingEmbedder, passagesJsonl } from '../test/fakes.js';
import { EmbeddingModelError, checkModelId } from '@rag-web/core';
import { KnowledgeBase } from './knowledge-base.js';
import { MemoryBackend } from './store-backend.js';

const idA = `sha256:${'a'.repeat(64)}`;
const idB = `sha256:${'b'.repeat(64)}`;

describe('checkModelId: which encoders may add to a knowledge base', () => {
  it('two weights identities, or two names, must be equal', () => {
    expect(checkModelId({ modelId: idA }, idA)).toBe(idA);
    expect(() => checkModelId({ modelId: idA }, idB)).toThrow(EmbeddingModelError);
    expect(() => checkModelId({ modelId: 'models/a' }, 'models/b')).toThrow(EmbeddingModelError);
  });

  it('a name (an older knowledge base: the model path as typed) and an identity: accepted, the identity recorded', () => {
    expect(checkModelId({ modelId: 'fixtures/tiny-a/model' }, idA)).toBe(idA);
    expect(checkModelId({ modelId: idA }, 'my-embedder')).toBe(idA);
    expect(checkModelId({ modelId: '' }, idA)).toBe(idA);
  });

  it('… unless the encoder probes of both say they are different encoders', () => {
    const probe = [1, 0, 0, 0];
    expect(checkModelId({ modelId: '/models/x', encoderProbe: probe }, idA, Float32Array.of(0.99, 0.05, 0, 0))).toBe(idA);
    expect(() => checkModelId({ modelId: '/models/x', encoderProbe: probe }, idA, Float32Array.of(0, 1, 0, 0))).toThrow(EmbeddingModelError);
  });

  it('ingest: a knowledge base built under a path accepts the same encoder named by its identity, and records it', async () => {
    const kb = await KnowledgeBase.open({ backend: new MemoryBackend('named'), dimension: 8, modelId: 'public/models/world-facts', index: 'exact' });
    await kb.ingest({ jsonl: passagesJsonl(3) }, { embedder: new CountingEmbedder(8, 'public/models/world-facts') });
    await kb.ingest({ jsonl: passagesJsonl(2, 3) }, { embedder: new CountingEmbedder(8, idA) });
    expect(kb.manifest.modelId).toBe(idA);
    await expect(kb.ingest({ jsonl: passagesJsonl(1, 5) }, { embedder: new CountingEmbedder(8, idB) })).rejects.toThrow(EmbeddingModelError);
    expect(kb.size).toBe(5);
  });
});

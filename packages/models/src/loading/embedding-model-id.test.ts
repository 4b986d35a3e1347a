import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ORIGIN, fakeOrigin } from '../../../../test/fake-origin.js';
import { fixturePath } from '../../../../test/fixture-files.js';
import { loadRagComponents, type RagComponents } from '../pretrained.js';
import { readEmbeddingModelId } from './model-plan.js';

// A knowledge base records the identity of the encoder that embedded it: the same weights must
// give the same identity however the folder is reached (path typed in the CLI, URL in the page).
afterEach(() => vi.unstubAllGlobals());
const release = (m: RagComponents) => Promise.all([m.questionEncoder.release(), m.generator.release(), m.contextEncoder?.release()]);

describe('embeddingModelId: the context encoder identified by its weights, not its path', () => {
  it('one folder by absolute path, relative path, a copy elsewhere, and URL: one identity; another model: another', async () => {
    const abs = fixturePath('tiny-a/model');
    const copy = join(mkdtempSync(join(tmpdir(), 'model-')), 'renamed');
    cpSync(abs, copy, { recursive: true });
    vi.stubGlobal('fetch', fakeOrigin().fetch);
    const ids = await Promise.all([abs, `./${relative(process.cwd(), abs)}`, copy, `${ORIGIN}/tiny-a/model`].map((m) => readEmbeddingModelId(m)));
    expect(ids[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(new Set(ids).size).toBe(1);
    expect(await readEmbeddingModelId(fixturePath('tiny-b/model'))).not.toBe(ids[0]);
  });

  it('a loaded model carries it, and its context encoder reports it as the Embedder modelId', async () => {
    const expected = await readEmbeddingModelId(fixturePath('tiny-a/model'));
    vi.stubGlobal('fetch', fakeOrigin().fetch);
    const loaded = await loadRagComponents(`${ORIGIN}/tiny-a/model`, { device: 'wasm', cache: null, loadContextEncoder: true });
    expect(loaded.embeddingModelId).toBe(expected);
    expect(loaded.contextEncoder!.modelId).toBe(expected);
    await release(loaded);
    // In another dtype, without the context encoder (the folder's manifest lists it): a page that only asks still knows its knowledge bases.
    const asking = await loadRagComponents(fixturePath('tiny-a/model'), { device: 'wasm', cache: null, dtype: 'q8' });
    expect(asking.embeddingModelId).toBe(expected);
    await release(asking);
  }, 60_000);

  it('a rag.json model: the ctx_encoder part identifies it', async () => {
    const hub = fixturePath('tiny-a/hub');
    const id = await readEmbeddingModelId(hub);
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const loaded = await loadRagComponents(hub, { device: 'wasm', cache: null, loadContextEncoder: true });
    expect(loaded.embeddingModelId).toBe(id);
    await release(loaded);
  }, 60_000);
});

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as realOrt from 'onnxruntime-web';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ORIGIN, fakeOrigin, type FakeOrigin, type FakeOriginOptions } from '../../../../test/fake-origin.js';
import { fixturePath, readFixtureJson } from '../../../../test/fixture-files.js';
import { ModelCacheWriteError, ModelIntegrityError, ModelLoadError } from '../errors.js';
import { MemoryFileCache } from '../hub/file-cache.js';
import type { ProgressInfo } from '../hub/progress.js';
import type { Ort } from '../ort/runtime.js';
import { loadRagComponents, type PretrainedOptions, type RagComponents } from '../pretrained.js';

// Loading over HTTP, from a fake host (test/fake-origin.ts) in place of `fetch`: sizes known
// before the first byte, downloads in parallel, abort, integrity, the generation-config fallback.
const TINY_A = `${ORIGIN}/tiny-a/model`;
const manifest = readFixtureJson<{ files: Record<string, { size: number; sha256: string }> }>('tiny-a/model/manifest.json').files;
/** What a question encoder + split generator load of tiny-a fetches after the configs, in fp32. */
const FP32_FILES = [
  'question_encoder_tokenizer/tokenizer.json',
  'question_encoder_tokenizer/tokenizer_config.json',
  'generator_tokenizer/tokenizer.json',
  'generator_tokenizer/tokenizer_config.json',
  'onnx/question_encoder.onnx',
  'onnx/encoder_model.onnx',
  'onnx/decoder_model.onnx',
  'onnx/decoder_with_past_model.onnx',
];

let origin: FakeOrigin;
function serve(options: FakeOriginOptions = {}): FakeOrigin {
  origin = fakeOrigin(options);
  vi.stubGlobal('fetch', origin.fetch);
  return origin;
}
beforeEach(() => serve());
afterEach(() => vi.unstubAllGlobals());

async function load(model: string, options: PretrainedOptions = {}): Promise<{ model: RagComponents; events: ProgressInfo[] }> {
  const events: ProgressInfo[] = [];
  const loaded = await loadRagComponents(model, { device: 'wasm', cache: null, ...options, progressCallback: (e) => events.push(e) });
  return { model: loaded, events };
}
const release = (m: RagComponents) => Promise.all([m.questionEncoder.release(), m.generator.release(), m.contextEncoder?.release()]);
const done = (events: ProgressInfo[]) => events.filter((e): e is Extract<ProgressInfo, { status: 'done' }> => e.status === 'done');

function expectFixedTotal(events: ProgressInfo[], total: number): void {
  expect(events[0]!.status).toBe('initiate');
  expect(events[0]!.aggregate.total).toBe(total);
  expect(events.every((e) => e.aggregate.total === total)).toBe(true);
  for (let i = 1; i < events.length; i++) expect(events[i]!.aggregate.loaded).toBeGreaterThanOrEqual(events[i - 1]!.aggregate.loaded);
  expect(events.at(-1)).toMatchObject({ status: 'ready', aggregate: { loaded: total, progress: 100 } });
}

describe('progress over HTTP', () => {
  const total = FP32_FILES.reduce((n, f) => n + manifest[f]!.size, 0);

  it('sizes from manifest.json: the total is the sum of the planned files at the first event and never changes; downloads overlap', async () => {
    const { model, events } = await load(TINY_A);
    expectFixedTotal(events, total);
    expect(done(events).map((e) => e.file).sort()).toEqual([...FP32_FILES].sort());
    expect(origin.maxInFlight).toBeGreaterThan(1);
    expect(origin.requests.filter((r) => r.startsWith('HEAD'))).toEqual([]);
    await release(model);
  });

  it('no manifest: sizes from HEAD before any download; the same fixed total', async () => {
    serve({ status: (p) => (p.endsWith('manifest.json') ? 404 : undefined) });
    const { model, events } = await load(TINY_A);
    expectFixedTotal(events, total);
    const firstGet = origin.requests.findIndex((r) => r.startsWith('GET') && r.endsWith('.onnx'));
    for (const f of FP32_FILES) expect(origin.requests.indexOf(`HEAD tiny-a/model/${f}`)).toBeLessThan(firstGet);
    await release(model);
  });

  it('a server that gives no sizes: those files are read before the total is announced, which still never changes', async () => {
    serve({ noSize: true, status: (p) => (p.endsWith('manifest.json') ? 404 : undefined) });
    const { model, events } = await load(TINY_A);
    expectFixedTotal(events, total);
    await release(model);
  });

  it('parts named by rag.json (transformers.js layout), each with its manifest: labels by part, one fixed total', async () => {
    const { model, events } = await load(`${ORIGIN}/tiny-a/hub`);
    const parts = ['question_encoder', 'generator'].map((p) => readFixtureJson<{ files: Record<string, { size: number }> }>(`tiny-a/hub/${p}/manifest.json`));
    const files = done(events).map((e) => e.file).sort();
    expect(files).toEqual(
      [
        'generator/onnx/decoder_model_merged.onnx',
        'generator/onnx/encoder_model.onnx',
        'generator/tokenizer.json',
        'generator/tokenizer_config.json',
        'question_encoder/onnx/model.onnx',
        'question_encoder/tokenizer.json',
        'question_encoder/tokenizer_config.json',
      ].sort(),
    );
    const size = (f: string) => parts[f.startsWith('generator/') ? 1 : 0]!.files[f.slice(f.indexOf('/') + 1)]!.size;
    expectFixedTotal(events, files.reduce((n, f) => n + size(f), 0));
    await release(model);
  });
});

// Static hosts of single-page apps (`vite preview`, most CDNs' SPA mode) answer a missing file
// with their HTML page and 200: a graph set the folder does not have must not look present.
describe('a host that answers missing files with its HTML page', () => {
  const split = (p: string) => /onnx\/decoder_(model|with_past_model)\.onnx$/.test(p);
  const withoutSplit = (path: string, bytes: Uint8Array) => {
    if (!path.endsWith('tiny-a/model/manifest.json')) return bytes;
    const m = JSON.parse(new TextDecoder().decode(bytes)) as { files: Record<string, unknown> };
    for (const f of Object.keys(m.files)) if (split(f)) delete m.files[f];
    return new TextEncoder().encode(JSON.stringify(m));
  };

  it('with a manifest: what it does not list is not there (no HEAD asked); the merged decoder loads', async () => {
    serve({ spaFallback: true, hidden: split, body: withoutSplit });
    const { model } = await load(TINY_A);
    expect(model.layouts.generator).toBe('bart-merged');
    expect(origin.requests.filter((r) => r.startsWith('HEAD'))).toEqual([]);
    await release(model);
  });

  it('without one: an HTML page for a graph is a missing file, not a graph', async () => {
    serve({ spaFallback: true, hidden: (p) => split(p) || p.endsWith('manifest.json') });
    const { model } = await load(TINY_A);
    expect(model.layouts.generator).toBe('bart-merged');
    await release(model);
  });
});

describe('abort', () => {
  it('mid-download: AbortError, every cached entry a whole file, and a retry fetches only what is not cached', async () => {
    serve({ chunk: 4096 });
    const cache = new MemoryFileCache();
    const controller = new AbortController();
    const onProgress = (e: ProgressInfo) => {
      if (e.status === 'progress' && e.file === 'onnx/encoder_model.onnx' && e.loaded < e.total) controller.abort();
    };
    const err = await loadRagComponents(TINY_A, { device: 'wasm', cache, signal: controller.signal, progressCallback: onProgress }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    const keyOf = (f: string) => `${TINY_A}/${f}`;
    expect(cache.entries.has(keyOf('onnx/encoder_model.onnx'))).toBe(false);
    expect(cache.entries.size).toBeGreaterThan(0);
    for (const [key, bytes] of cache.entries) expect(bytes, key).toEqual(new Uint8Array(readFileSync(fixturePath(key.slice(ORIGIN.length + 1)))));
    const cachedBefore = [...cache.entries.keys()].filter((k) => k.endsWith('.onnx'));

    serve();
    const { model } = await load(TINY_A, { cache });
    for (const key of cachedBefore) expect(origin.gets(key.slice(ORIGIN.length + 1)), key).toBe(0);
    expect(origin.gets('tiny-a/model/onnx/encoder_model.onnx')).toBe(1);
    await release(model);
  });

  it('during session creation: AbortError and every session opened so far released', async () => {
    const controller = new AbortController();
    let created = 0;
    let released = 0;
    const counting = {
      ...realOrt,
      InferenceSession: {
        create: async (...args: Parameters<typeof realOrt.InferenceSession.create>) => {
          const session = await realOrt.InferenceSession.create(...args);
          created++;
          const releaseSession = session.release.bind(session);
          session.release = () => {
            released++;
            return releaseSession();
          };
          if (created === 2) controller.abort();
          return session;
        },
      },
    } as unknown as Ort;
    const err = await loadRagComponents(TINY_A, { device: 'wasm', cache: null, ort: counting, signal: controller.signal }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(created).toBe(2);
    expect(released).toBe(created);
  });

  it('already aborted: nothing is fetched', async () => {
    const err = await loadRagComponents(TINY_A, { device: 'wasm', cache: null, signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(origin.requests.filter((r) => r.endsWith('.onnx'))).toEqual([]);
  });
});

describe('integrity over HTTP', () => {
  const flip = (bytes: Uint8Array) => {
    const out = bytes.slice();
    out[out.length >> 1] = out[out.length >> 1]! ^ 0x01;
    return out;
  };

  it('a served file unlike its manifest: ModelIntegrityError naming it, not cached; a fixed server then loads', async () => {
    serve({ body: (p, b) => (p.endsWith('onnx/decoder_model.onnx') ? flip(b) : b) });
    const cache = new MemoryFileCache();
    const err = await loadRagComponents(TINY_A, { device: 'wasm', cache }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelIntegrityError);
    expect((err as Error).message).toMatch(/model file onnx\/decoder_model\.onnx is corrupt: SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}/);
    expect(cache.entries.has(`${TINY_A}/onnx/decoder_model.onnx`)).toBe(false);
    serve();
    await release((await load(TINY_A, { cache })).model);
  });

  it('a cached copy unlike the manifest (cached by an older, broken download): evicted, fetched once more, loaded', async () => {
    const cache = new MemoryFileCache();
    await release((await load(TINY_A, { cache })).model);
    const key = `${TINY_A}/onnx/encoder_model.onnx`;
    const good = cache.entries.get(key)!;
    await cache.put(key, flip(good));
    serve();
    const { model, events } = await load(TINY_A, { cache });
    expect(origin.gets('tiny-a/model/onnx/encoder_model.onnx')).toBe(1);
    expect(done(events).filter((e) => !e.fromCache).map((e) => e.file)).toEqual(['onnx/encoder_model.onnx']);
    expect(cache.entries.get(key)).toEqual(good);
    await release(model);
  });
});

describe('one graph in memory at a time', () => {
  /** Records what each session was created from: a path, or the byte length of the bytes given. */
  function spyOrt(): { ort: Ort; created: Array<string | number> } {
    const created: Array<string | number> = [];
    const create = (model: string | Uint8Array, options?: realOrt.InferenceSession.SessionOptions) => {
      created.push(typeof model === 'string' ? model : model.byteLength);
      return typeof model === 'string' ? realOrt.InferenceSession.create(model, options) : realOrt.InferenceSession.create(model, options);
    };
    return { ort: { ...realOrt, InferenceSession: { ...realOrt.InferenceSession, create } } as unknown as Ort, created };
  }
  const graphs = FP32_FILES.filter((f) => f.endsWith('.onnx'));

  it('a local folder: each session is created from the checked file path (never its bytes), largest graph first', async () => {
    const { ort, created } = spyOrt();
    const model = await loadRagComponents(fixturePath('tiny-a/model'), { device: 'wasm', cache: null, ort });
    const bySize = [...graphs].sort((a, b) => manifest[b]!.size - manifest[a]!.size);
    expect(created).toEqual(bySize.map((f) => join(fixturePath('tiny-a/model'), f)));
    await release(model);
  });

  it('a local file changed after the manifest: ModelIntegrityError naming it when its session is due, no session left open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rag-local-'));
    try {
      cpSync(fixturePath('tiny-a/model'), dir, { recursive: true });
      const path = join(dir, 'onnx/decoder_model.onnx');
      const bytes = readFileSync(path);
      bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x01;
      writeFileSync(path, bytes);
      const err = await loadRagComponents(dir, { device: 'wasm', cache: null }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ModelIntegrityError);
      expect((err as Error).message).toMatch(/model file onnx\/decoder_model\.onnx is corrupt: SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('over HTTP with a cache: graphs are read back from the cache as their sessions are created, not downloaded twice', async () => {
    const cache = new MemoryFileCache();
    const reads: string[] = [];
    const get = cache.get.bind(cache);
    cache.get = (key: string) => {
      reads.push(key);
      return get(key);
    };
    const { ort, created } = spyOrt();
    const model = await loadRagComponents(TINY_A, { device: 'wasm', cache, ort });
    // One cache read per graph before its download (a miss), one as its session is created (a hit).
    for (const f of graphs) expect(reads.filter((k) => k === `${TINY_A}/${f}`)).toHaveLength(2);
    for (const f of graphs) expect(origin.gets(`tiny-a/model/${f}`)).toBe(1);
    expect(created).toEqual([...graphs].map((f) => manifest[f]!.size).sort((a, b) => b - a));
    await release(model);
  });

  it('a cache that refuses a file (quota, an entry too large): the load goes on with the bytes in hand, one ModelCacheWriteError warning per file, nothing downloaded twice', async () => {
    const cache = new MemoryFileCache();
    cache.put = (key: string) => Promise.reject(new DOMException(`no room for ${key}`, 'QuotaExceededError'));
    const warnings: unknown[] = [];
    const model = await loadRagComponents(TINY_A, { device: 'wasm', cache, onWarning: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(FP32_FILES.length);
    for (const w of warnings) expect(w).toBeInstanceOf(ModelCacheWriteError);
    expect((warnings as ModelCacheWriteError[]).map((w) => w.details.file).sort()).toEqual([...FP32_FILES].sort());
    expect((warnings[0] as Error).message).toMatch(/could not be kept in the cache \(QuotaExceededError: no room for .*\); it will be downloaded again next time/);
    for (const f of FP32_FILES) expect(origin.gets(`tiny-a/model/${f}`)).toBe(1);
    expect(cache.entries.size).toBe(0);
    await release(model);
  });
});

describe('generation_config.json', () => {
  it('404: the generation config is derived from the model config, as transformers does', async () => {
    serve({ status: (p) => (p.endsWith('generation_config.json') ? 404 : undefined) });
    const { model } = await load(TINY_A);
    expect(model.generationConfig.decoderStartTokenId).toBe(model.config.generator.decoderStartTokenId);
    await release(model);
  });

  it('500 (or any other failure): a ModelLoadError with the status, not a silent fallback', async () => {
    serve({ status: (p) => (p.endsWith('generation_config.json') ? 500 : undefined) });
    const err = await loadRagComponents(TINY_A, { device: 'wasm', cache: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as Error).message).toMatch(/generation_config\.json.*HTTP 500/);
  });
});

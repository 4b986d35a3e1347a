import { expect, it } from 'vitest';
import { loadRagComponents } from '../pretrained.js';
import { CHUNKS_HEADER, CacheStorageFileCache, DIGEST_HEADER } from './file-cache.js';
import type { ProgressInfo } from './progress.js';
import { sha256Hex } from './sha256.js';

type DoneEvent = Extract<ProgressInfo, { status: 'done' }>;

/** tiny-b loaded through `cache` (sessions released at once): its progress events. */
async function loadTinyB(cache: CacheStorageFileCache): Promise<ProgressInfo[]> {
  const events: ProgressInfo[] = [];
  const model = await loadRagComponents('/fixtures/tiny-b/model', { device: 'wasm', cache, progressCallback: (e) => events.push(e) });
  await Promise.all([model.questionEncoder.release(), model.generator.release()]);
  return events;
}
const done = (events: ProgressInfo[]) => events.filter((e): e is DoneEvent => e.status === 'done');

// Cache Storage keeps every model file for offline use: the second load reads none from the network.
it('a second fromPretrained is served from Cache Storage, with progress ending at 100 %', async () => {
  const scope = `test-${Date.now()}`;
  const cache = new CacheStorageFileCache(scope);
  const first = await loadTinyB(cache);
  const second = await loadTinyB(cache);
  expect(done(first).every((e) => !e.fromCache)).toBe(true);
  expect(done(second).map((e) => e.fromCache)).toEqual(done(first).map(() => true));
  for (const events of [first, second]) {
    const ready = events.at(-1)!;
    expect(ready.status).toBe('ready');
    expect(ready.aggregate.progress).toBe(100);
    expect(ready.aggregate.total).toBeGreaterThan(100_000);
  }
  await caches.delete(scope);
});

// A cached file that no longer matches its digest (truncated, poisoned) is dropped and fetched
// again, so the page recovers on its next load instead of failing at every reload.
it('a truncated or poisoned cached .onnx file is evicted and downloaded again; the model loads', async () => {
  const scope = `test-poison-${Date.now()}`;
  const cache = new CacheStorageFileCache(scope);
  const load = async () => done(await loadTinyB(cache));
  await load();
  const storage = await caches.open(scope);
  const keys = (await storage.keys()).map((r) => r.url);
  const onnx = keys.filter((k) => k.endsWith('.onnx'));
  expect(onnx.length).toBeGreaterThanOrEqual(2);
  const [truncated, poisoned] = onnx as [string, string];
  const original = new Uint8Array(await (await storage.match(truncated))!.arrayBuffer());
  const keep = (await storage.match(truncated))!.headers;
  // Truncated under the old digest header; poisoned bytes under no header at all (an older writer).
  await storage.put(truncated, new Response(original.slice(0, original.byteLength >> 1), { headers: keep }));
  await storage.put(poisoned, new Response(new TextEncoder().encode('not a model')));

  const again = await load();
  const file = (url: string) => url.slice(url.indexOf('/model/') + '/model/'.length);
  const refetched = again.filter((e) => !e.fromCache).map((e) => e.file).sort();
  expect(refetched).toEqual([file(truncated), file(poisoned)].sort());
  // Repaired: the next load reads everything from the cache again.
  expect((await load()).every((e) => e.fromCache)).toBe(true);
  expect(new Uint8Array(await (await storage.match(truncated))!.arrayBuffer())).toEqual(original);
  await caches.delete(scope);
});

// A flipped byte stored under a matching digest header passes the cache's own check: only the
// exporter's manifest (SHA-256 per file) catches it, before any session is created.
it('a flipped byte in Cache Storage with a consistent digest header: caught by the manifest, evicted, re-fetched', async () => {
  const scope = `test-flip-${Date.now()}`;
  const cache = new CacheStorageFileCache(scope);
  const load = async () => done(await loadTinyB(cache));
  await load();
  const storage = await caches.open(scope);
  const url = (await storage.keys()).map((r) => r.url).find((k) => k.endsWith('/onnx/decoder_with_past_model.onnx'))!;
  const original = new Uint8Array(await (await storage.match(url))!.arrayBuffer());
  const flipped = original.slice();
  flipped[flipped.length >> 1] = flipped[flipped.length >> 1]! ^ 0x01;
  await storage.put(url, new Response(flipped, { headers: { 'Content-Length': String(flipped.byteLength), [DIGEST_HEADER]: await sha256Hex(flipped) } }));
  expect(await cache.get(url)).toEqual(flipped);

  const again = await load();
  expect(again.filter((e) => !e.fromCache).map((e) => e.file)).toEqual(['onnx/decoder_with_past_model.onnx']);
  expect(new Uint8Array(await (await storage.match(url))!.arrayBuffer())).toEqual(original);
  await caches.delete(scope);
});

// Files above the chunk size are stored as parts with their entry written last: the model loads
// back from the parts, and a lost part (eviction, a write cut short) reads as a miss, not an error.
it('files above chunkBytes are cached in parts; a missing part is re-fetched and the parts rewritten', async () => {
  const scope = `test-chunks-${Date.now()}`;
  const cache = new CacheStorageFileCache(scope, 64 * 1024);
  const load = async () => done(await loadTinyB(cache));
  expect((await load()).every((e) => !e.fromCache)).toBe(true);
  const storage = await caches.open(scope);
  const urls = (await storage.keys()).map((r) => r.url);
  const url = urls.find((k) => k.endsWith('/onnx/decoder_with_past_model.onnx'))!;
  const entry = (await storage.match(url))!;
  const count = Number(entry.headers.get(CHUNKS_HEADER));
  expect(count).toBeGreaterThan(1);
  expect((await entry.arrayBuffer()).byteLength).toBe(0);
  const parts = urls.filter((k) => k.startsWith(`${url}?rag-web-chunk=`));
  expect(parts).toHaveLength(count);
  const size = (await (await fetch(url)).arrayBuffer()).byteLength;
  expect(count).toBe(Math.ceil(size / (64 * 1024)));

  expect((await load()).every((e) => e.fromCache)).toBe(true);
  await storage.delete(parts[1]!);
  const again = await load();
  expect(again.filter((e) => !e.fromCache).map((e) => e.file)).toEqual(['onnx/decoder_with_past_model.onnx']);
  expect((await load()).every((e) => e.fromCache)).toBe(true);
  await caches.delete(scope);
});

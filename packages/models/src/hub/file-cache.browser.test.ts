import { expect, it } from 'vitest';
import { loadRagComponents } from '../pretrained.js';
import { CacheStorageFileCache } from './file-cache.js';
import type { ProgressInfo } from './progress.js';

// Cache Storage keeps every model file for offline use: the second load reads none from the network.
it('a second fromPretrained is served from Cache Storage, with progress ending at 100 %', async () => {
  const scope = `test-${Date.now()}`;
  const cache = new CacheStorageFileCache(scope);
  const load = async () => {
    const events: ProgressInfo[] = [];
    const model = await loadRagComponents('/fixtures/tiny-b/model', { device: 'wasm', cache, progressCallback: (e) => events.push(e) });
    await Promise.all([model.questionEncoder.release(), model.generator.release()]);
    return events;
  };
  const first = await load();
  const second = await load();
  const done = (events: ProgressInfo[]) => events.filter((e): e is Extract<ProgressInfo, { status: 'done' }> => e.status === 'done');
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

// The demo's service worker: keeps the app shell (page, scripts, styles, the ORT runtime and the
// bundled knowledge-base folder) in Cache Storage so that a reload works with the network off.
// Not handled here: model files (the models package keeps them in Cache Storage,
// 'rag-web-models') and passages (IndexedDB). The build (vite.config.ts, serviceWorkerPrecache)
// replaces the literal below with the built files and a content hash, so every build changes this
// file, installs a fresh cache and drops the old one.
const PRECACHE = /*precache*/ { "version": "dev", "urls": [] } /*end*/;

const PREFIX = 'rag-web-shell-';
const CACHE = PREFIX + PRECACHE.version;
const precached = new Set(PRECACHE.urls);

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.urls))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
      // Control the page that registered us at once, so its later requests are cached answers too.
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // Pages: the network when it answers (a new build shows at once), else the cached shell.
  if (request.mode === 'navigate') event.respondWith(networkFirst(request, '/'));
  // Built files have content-hashed names (or come with this cache's version): cache first.
  else if (precached.has(url.pathname)) event.respondWith(cacheFirst(request, url.pathname));
});

async function networkFirst(request, fallback) {
  try {
    return await fetch(request);
  } catch (err) {
    const hit = await caches.match(fallback, { cacheName: CACHE });
    if (hit) return hit;
    throw err;
  }
}

async function cacheFirst(request, key) {
  const hit = await caches.match(key, { cacheName: CACHE });
  return hit ?? fetch(request);
}

import type { StatusView } from './ui/status-view.js';

/**
 * Registers public/sw.js (built: it precaches the app shell, see vite.config.ts) and reports when
 * a reload will work offline. Models and passages do not depend on it: the models package keeps
 * model files in Cache Storage and passages are in IndexedDB. Not in `vite dev`, where files are
 * served unbundled and change on every edit.
 */
export async function registerServiceWorker(status: StatusView): Promise<void> {
  if (!import.meta.env.PROD) {
    status.offline('off in development builds', 'warn');
    return;
  }
  if (!('serviceWorker' in navigator)) {
    status.offline('unavailable (no service workers here)', 'warn');
    return;
  }
  try {
    await navigator.serviceWorker.register('/sw.js');
    await navigator.serviceWorker.ready;
    status.offline('ready: the page, model and passages are stored in this browser', 'ok');
  } catch (err) {
    status.offline(`unavailable (${err instanceof Error ? err.message : String(err)})`, 'warn');
  }
}

import { DemoApp } from './app.js';
import { registerServiceWorker } from './offline.js';
import { byId } from './ui/elements.js';
import { presetModelForm, presetRetrievalForm } from './ui/forms.js';
import type { RagEngine } from './worker/engine.js';
import { WorkerRagEngine } from './worker/worker-client.js';

/**
 * The engine runs in a Web Worker, so the page never freezes while models load or generate.
 * `?engine=page` runs the same engine on the page instead (for debugging; same interface).
 */
async function createEngine(params: URLSearchParams): Promise<RagEngine> {
  if (params.get('engine') === 'page') {
    const { LocalRagEngine } = await import('./worker/local-engine.js');
    return new LocalRagEngine();
  }
  return new WorkerRagEngine(new Worker(new URL('./worker/engine-worker.ts', import.meta.url), { type: 'module', name: 'rag-engine' }));
}

const params = new URLSearchParams(location.search);
presetModelForm(byId<HTMLFormElement>('model-form'), params);
presetRetrievalForm(byId<HTMLFormElement>('retrieval-form'), params);
const app = new DemoApp(await createEngine(params));
void registerServiceWorker(app.status);
await app.start();

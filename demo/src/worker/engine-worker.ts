// The engine worker's entry: all model and retrieval work runs here, off the UI thread.
import { LocalRagEngine } from './local-engine.js';
import type { RequestMessage } from './messages.js';
import { EngineWorkerHandler } from './worker-handler.js';

const handler = new EngineWorkerHandler(new LocalRagEngine(), { postMessage: (message) => globalThis.postMessage(message) });
globalThis.addEventListener('message', (e: MessageEvent<RequestMessage>) => void handler.onMessage(e.data));

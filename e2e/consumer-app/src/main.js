import { answer } from './answer.js';

const params = new URLSearchParams(location.search);
const question = params.get('question') ?? 'what is the capital of France?';
const device = params.get('device') ?? 'auto';
const out = document.getElementById('result');

function run() {
  if (params.get('mode') !== 'worker') return answer(question, device);
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.postMessage({ question, device });
  return new Promise((resolve, reject) => {
    worker.onmessage = (e) => (e.data.error ? reject(new Error(e.data.error)) : resolve(e.data.result));
    worker.onerror = (e) => reject(new Error(e.message));
  });
}

run().then(
  (result) => (out.textContent = JSON.stringify({ ok: true, result })),
  (err) => (out.textContent = JSON.stringify({ ok: false, error: `${err.name}: ${err.message}` })),
);

import {
  acquireGpuDevice,
  createStorageBuffer,
  docScoresRef,
  GpuDeviceError,
  readFloat32,
  runDocScores,
  type DocScoresShape,
} from '@rag-web/core';
import { resolveDevice } from '@rag-web/models';

function show(id: string, text: string, state?: 'ok' | 'error'): void {
  const el = document.getElementById(id);
  if (!el) return;
  el.textContent = text;
  if (state) el.dataset.state = state;
}

function randomInputs(shape: DocScoresShape): { question: Float32Array; docs: Float32Array } {
  const fill = (n: number): Float32Array => Float32Array.from({ length: n }, () => Math.random() * 2 - 1);
  return { question: fill(shape.batch * shape.hidden), docs: fill(shape.batch * shape.nDocs * shape.hidden) };
}

async function main(): Promise<void> {
  show('isolated', String(globalThis.crossOriginIsolated));
  const shape: DocScoresShape = { batch: 1, nDocs: 5, hidden: 768 };
  const { question, docs } = randomInputs(shape);
  const expected = docScoresRef(question, docs, shape);

  let gpu: Awaited<ReturnType<typeof acquireGpuDevice>> | undefined;
  try {
    gpu = await acquireGpuDevice();
  } catch (err) {
    if (!(err instanceof GpuDeviceError)) throw err;
  }
  const backend = resolveDevice('auto', gpu !== undefined);
  show('backend', backend);
  if (!gpu) {
    show('adapter', 'no WebGPU adapter: the WASM/CPU path is used');
    show('kernel', `CPU reference only: scores ${[...expected].map((s) => s.toFixed(4)).join(', ')}`, 'ok');
    return;
  }
  const { device, adapter } = gpu;
  show('adapter', `${adapter.vendor} / ${adapter.architecture}${adapter.description ? ` (${adapter.description})` : ''}`);
  const qBuf = createStorageBuffer(device, question, 'demo.question');
  const dBuf = createStorageBuffer(device, docs, 'demo.docs');
  const out = runDocScores(device, qBuf, dBuf, shape);
  const got = await readFloat32(device, out, shape.batch * shape.nDocs);
  for (const b of [qBuf, dBuf, out]) b.destroy();
  const maxDiff = Math.max(...got.map((v, i) => Math.abs(v - expected[i]!)));
  const ok = maxDiff <= 1e-4;
  show(
    'kernel',
    `${ok ? 'match' : 'MISMATCH'}: GPU ${[...got].map((s) => s.toFixed(4)).join(', ')} · max |Δ| vs TS reference ${maxDiff.toExponential(2)}`,
    ok ? 'ok' : 'error',
  );
}

main().catch((err: unknown) => {
  show('kernel', `error: ${err instanceof Error ? err.message : String(err)}`, 'error');
});

// The start-up bench's worker: loads the model as the demo's worker does (RagModel.fromPretrained,
// Cache Storage on) and reports when it is ready; asked again, it loads it again in the same realm.
import { RagModel, type DeviceType } from '../../packages/models/src/index.js';

export interface LoadRequest {
  modelUrl: string;
  device: Extract<DeviceType, 'wasm' | 'webgpu'>;
  dtype: 'fp32' | 'fp16' | 'q8' | 'q4';
}

export interface LoadReport {
  device: string;
  /** performance.now() of the worker at ready, and its time origin: the page puts both on its own clock. */
  readyAt: number;
  timeOrigin: number;
  loadMs: number;
  weightBytes: number;
  /** Bytes that came from the network (not from Cache Storage). */
  downloadedBytes: number;
}

let rag: RagModel | undefined;

self.onmessage = async (event: MessageEvent<LoadRequest>) => {
  try {
    await rag?.dispose();
    const { modelUrl, device, dtype } = event.data;
    let weightBytes = 0;
    const sizes = new Map<string, number>();
    let downloadedBytes = 0;
    const t0 = performance.now();
    rag = await RagModel.fromPretrained(modelUrl, {
      device,
      dtype,
      progressCallback: (e) => {
        if (e.status === 'ready') weightBytes = e.aggregate.total;
        if (e.status === 'progress') sizes.set(e.file, e.total);
        if (e.status === 'done' && !e.fromCache) downloadedBytes += sizes.get(e.file) ?? 0;
      },
    });
    const readyAt = performance.now();
    const report: LoadReport = {
      device: rag.device,
      readyAt,
      timeOrigin: performance.timeOrigin,
      loadMs: readyAt - t0,
      weightBytes,
      downloadedBytes,
    };
    self.postMessage({ report });
  } catch (err) {
    self.postMessage({ error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
};

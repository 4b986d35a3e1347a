/**
 * This project's side of the generation bench, in a process of its own (its peak RSS is the
 * row's memory): bench/generation/measure.ts on onnxruntime-node (`cpu`), onnxruntime-web's
 * WASM EP (`wasm`) or its WebGPU EP on Dawn's Node binding (`webgpu`: the machine's GPU; on a
 * machine without one, SwiftShader through scripts/with-swiftshader-vulkan.sh). On WebGPU every
 * queue submit and read-back of the model's device is counted, as in the Chromium page.
 *
 *   node bench/generation/ours.mjs SPEC.json     (SPEC as hf_generate.py's, plus model, device, dtype)
 *
 * Prints one JSON object: per scenario the wall times of minLength = maxLength = short and long
 * (median of `repeats`, after one warm-up) and the long run's ids; memory after load and at the end.
 */
import { RagModel, type ProgressInfo } from '../../packages/models/src/index.js';
import { runtimeFor } from '../../packages/cli/src/device.js';
import { trackGpu } from '../../test/gpu-tracking.js';
import { measureOurs } from './measure.js';
import { memory, processPeakMemory, readSpec } from './system.js';

const { spec, inputs } = readSpec();
if (spec.device !== 'cpu' && spec.device !== 'wasm' && spec.device !== 'webgpu') throw new Error(`ours.ts runs cpu, wasm or webgpu, not ${spec.device}`);
const device = spec.device;

// The runtime `rag ask --device` picks: onnxruntime-node for cpu, onnxruntime-web for wasm and webgpu.
const { ort } = await runtimeFor(device);
if (ort) ort.env.logLevel = 'error';
let weightBytes = 0;
const t0 = performance.now();
const rag = await RagModel.fromPretrained(spec.model, {
  device,
  dtype: spec.dtype,
  cache: null,
  ...(ort ? { ort } : { numThreads: spec.threads }),
  progressCallback: (e: ProgressInfo) => {
    if (e.status === 'ready') weightBytes = e.aggregate.total;
  },
});
const loadMs = performance.now() - t0;
const afterLoad = memory();
if (device === 'webgpu' && rag.device !== 'webgpu') throw new Error(`asked for webgpu, loaded on ${rag.device}`);
const gpu = rag.components.gpuDevice ? trackGpu(rag.components.gpuDevice) : undefined;
const adapter = gpu ? (await navigator.gpu.requestAdapter())?.info : undefined;
const peak = processPeakMemory();
const scenarios = await measureOurs(rag, inputs, spec.scenarios, spec.repeats, gpu && (() => ({ readBackBytes: gpu.readBackBytes, submits: gpu.allSubmits })), peak);
gpu?.restore();
console.log(
  JSON.stringify({
    system: `ours-${device}`,
    device: rag.device,
    dtype: spec.dtype,
    threads: device === 'cpu' ? 'onnxruntime-node default (one per core)' : spec.threads,
    ...(adapter && { adapter: `${adapter.vendor} ${adapter.architecture} ${adapter.description}`.trim() }),
    loadMs: Math.round(loadMs),
    weightBytes,
    afterLoad,
    atEnd: memory(),
    peakRssBytes: peak?.overallPeakBytes() ?? process.resourceUsage().maxRSS * 1024,
    scenarios,
  }),
);
await rag.dispose();

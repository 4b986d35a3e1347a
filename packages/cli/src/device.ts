import type * as OrtNode from 'onnxruntime-node';
import type { InferenceSession } from 'onnxruntime-web';
import { RagError } from '@rag-web/core';

/**
 * `--device`: which ONNX runtime runs the graphs in Node.
 * - `wasm`: onnxruntime-web's WASM execution provider, what the models package uses in Node.
 * - `cpu`: onnxruntime-node (native, multi-threaded CPU).
 *
 * The models package opens every session with `ort.InferenceSession.create(bytes, { executionProviders:
 * ['wasm'], ... })` on the onnxruntime-web module it imports, and takes no runtime from outside.
 * For `cpu` the CLI replaces that factory on the same module instance (one copy of
 * onnxruntime-web in the workspace, so the CLI's import is the models package's) with one that
 * opens the graph with onnxruntime-node on its CPU provider. The sessions it returns have the
 * same API (both runtimes are onnxruntime-common 1.30); tensors cross over as `{ type, data,
 * dims }`, which both accept. (Registering a backend under the name `wasm` would not do: ORT's
 * registry keeps the first backend of a name.) The route counts the sessions it opened, so a
 * models package that stopped going through this factory is caught instead of silently running
 * on WASM.
 */
export const CLI_DEVICES = Object.freeze(['wasm', 'cpu'] as const);
export type CliDevice = (typeof CLI_DEVICES)[number];

/** onnxruntime-node could not be loaded, or the models package did not open its sessions through the route. */
export class DeviceUnavailableError extends RagError {
  override readonly name: string = 'DeviceUnavailableError';
}

export const BACKEND_NAMES: Readonly<Record<CliDevice, string>> = Object.freeze({
  wasm: 'onnxruntime-web 1.30 (WASM)',
  cpu: 'onnxruntime-node 1.30 (CPU)',
});

export interface DeviceRoute {
  device: CliDevice;
  /** What runs the graphs, for messages. */
  backend: string;
  /** Sessions opened on onnxruntime-node so far (0 for wasm). */
  nodeSessions(): number;
}

let nodeSessions = 0;
let routed = false;

/** Prepares the runtime for `device` before any model is loaded; the models package is then asked for `device: 'wasm'`. */
export async function selectDevice(device: CliDevice): Promise<DeviceRoute> {
  if (device === 'cpu' && !routed) {
    let node: typeof OrtNode;
    try {
      node = await import('onnxruntime-node');
    } catch (err) {
      throw new DeviceUnavailableError(`--device cpu needs onnxruntime-node, which could not be loaded here (${(err as Error).message}); use --device wasm`);
    }
    const web = await import('onnxruntime-web');
    const create = async (model: string | Uint8Array, options: InferenceSession.SessionOptions = {}): Promise<InferenceSession> => {
      // The models package asks for the `wasm` provider (and GPU output locations on WebGPU only).
      const nodeOptions: InferenceSession.SessionOptions = { ...options, executionProviders: ['cpu'] };
      delete nodeOptions.preferredOutputLocation;
      const session = typeof model === 'string' ? await node.InferenceSession.create(model, nodeOptions) : await node.InferenceSession.create(model, nodeOptions);
      nodeSessions++;
      return session;
    };
    (web.InferenceSession as { create: unknown }).create = create;
    routed = true;
  }
  return { device, backend: BACKEND_NAMES[device], nodeSessions: () => nodeSessions };
}

/** Throws when `--device cpu` was asked for but no graph went to onnxruntime-node. */
export function checkRoute(route: DeviceRoute): void {
  if (route.device === 'cpu' && route.nodeSessions() === 0) {
    throw new DeviceUnavailableError('--device cpu: the models package did not open its ONNX sessions through onnxruntime-web\'s InferenceSession.create, so they could not be moved to onnxruntime-node; use --device wasm');
  }
}

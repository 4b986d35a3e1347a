import { RagError } from '@rag-web/core';
import type { Ort } from '@rag-web/models';

/**
 * `--device`: which ONNX runtime runs the graphs in Node.
 * - `wasm`: onnxruntime-web's WASM execution provider (the models package's default in Node).
 * - `cpu`: onnxruntime-node (native, multi-threaded CPU), handed to the models package as its
 *   `ort` runtime with `device: 'cpu'`.
 * - `webgpu`: onnxruntime-web's WebGPU EP and this project's kernels on the GPU that the optional
 *   `webgpu` package (Dawn for Node) exposes; a typed error where it is missing or finds no adapter.
 */
export const CLI_DEVICES = Object.freeze(['wasm', 'cpu', 'webgpu'] as const);
export type CliDevice = (typeof CLI_DEVICES)[number];

/** onnxruntime-node (an optional peer dependency) is not installed or could not be loaded here. */
export class DeviceUnavailableError extends RagError {
  override readonly name: string = 'DeviceUnavailableError';
}

export const BACKEND_NAMES: Readonly<Record<CliDevice, string>> = Object.freeze({
  wasm: 'onnxruntime-web 1.30 (WASM)',
  cpu: 'onnxruntime-node 1.30 (CPU)',
  webgpu: 'onnxruntime-web 1.30 (WebGPU, Dawn)',
});

/**
 * onnxruntime-node 1.30 dies of SIGSEGV creating its first session when the process's command
 * line exceeds about 28.9 kB (measured on Linux x64; an environment variable of that size is
 * harmless). A 10,000-word question is longer. Refuse well below that, before loading it.
 */
export const CPU_COMMAND_LINE_LIMIT = 16_384;

/** The `fromPretrained` runtime options for `device`. */
export async function runtimeFor(device: CliDevice): Promise<{ device: CliDevice; ort?: Ort }> {
  if (device !== 'cpu') return { device };
  const commandLine = [process.execPath, ...process.execArgv, ...process.argv.slice(1)].reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);
  if (commandLine > CPU_COMMAND_LINE_LIMIT) {
    throw new DeviceUnavailableError(
      `--device cpu: this command line is ${commandLine} bytes, and onnxruntime-node 1.30 crashes on command lines of about 29 kB; ` +
        `shorten the questions (the question encoder reads at most its max_position_embeddings tokens) or use --device wasm`,
      { commandLine, limit: CPU_COMMAND_LINE_LIMIT },
    );
  }
  try {
    // Both runtimes implement onnxruntime-common 1.30's API: the models package takes either.
    // An optional peer dependency (its install script downloads GPU parts), so imported only here.
    return { device: 'cpu', ort: (await import('onnxruntime-node')) as unknown as Ort };
  } catch (err) {
    if (isMissing(err, 'onnxruntime-node')) {
      throw new DeviceUnavailableError(
        `--device cpu needs the optional package onnxruntime-node, which is not installed: run ` +
          `\`npm install onnxruntime-node@~1.30.0 --onnxruntime-node-install=skip\` (its CPU build is in the package; the flag skips ` +
          `the install script's download of GPU parts), or use --device wasm (the default, which needs nothing more)`,
      );
    }
    throw new DeviceUnavailableError(`--device cpu needs onnxruntime-node, which could not be loaded here (${(err as Error).message}); use --device wasm`);
  }
}

/** Whether `err` is Node's "cannot find package `name`" (not a failure inside the package once found). */
function isMissing(err: unknown, name: string): boolean {
  const { code, message } = err as { code?: unknown; message?: unknown };
  return code === 'ERR_MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${name}'`);
}

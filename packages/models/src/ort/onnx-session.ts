import type { InferenceSession, Tensor } from 'onnxruntime-web';
import { ModelLoadError } from '../errors.js';
import type { ResolvedDevice } from '../devices.js';
import { runtimeFileError } from './runtime-files.js';
import { serialized, type Ort } from './runtime.js';

export interface SessionSpec {
  /** The graph's name (its file's base name in layouts.json), for errors and labels. */
  name: string;
  /** The graph's bytes, or (Node) the path of a file the runtime reads itself. */
  model: Uint8Array | string;
  device: ResolvedDevice;
  /** Output names that stay on the GPU (`preferredOutputLocation: 'gpu-buffer'`) on WebGPU. */
  gpuOutputs?: string[];
}

/**
 * One ONNX graph on one execution provider. Inputs and outputs are checked by name so that a
 * graph exported with another contract fails at load with a message, not at the first run.
 */
export class OnnxSession {
  private constructor(
    readonly name: string,
    readonly device: ResolvedDevice,
    private readonly session: InferenceSession,
  ) {}

  static async create(ort: Ort, spec: SessionSpec, expected: { inputs: string[]; outputs: string[] }): Promise<OnnxSession> {
    const options: InferenceSession.SessionOptions = {
      executionProviders: [spec.device],
      graphOptimizationLevel: 'all',
      // Warnings (e.g. nodes assigned to the CPU EP) are expected; only errors are worth a console line.
      logSeverityLevel: 3,
    };
    if (spec.device === 'webgpu' && spec.gpuOutputs?.length) {
      options.preferredOutputLocation = Object.fromEntries(spec.gpuOutputs.map((n) => [n, 'gpu-buffer' as const]));
    }
    let session: InferenceSession;
    try {
      // One call per overload: `create` takes a path or bytes, not their union.
      session = await serialized(() => typeof spec.model === 'string' ? ort.InferenceSession.create(spec.model, options) : ort.InferenceSession.create(spec.model, options));
    } catch (err) {
      const context = `cannot load ONNX graph ${spec.name} on ${spec.device}`;
      throw (await runtimeFileError(ort, err, context)) ?? new ModelLoadError(`${context}: ${errorMessage(err)}`, { file: spec.name });
    }
    const missingIn = expected.inputs.filter((n) => !session.inputNames.includes(n));
    const missingOut = expected.outputs.filter((n) => !session.outputNames.includes(n));
    if (missingIn.length || missingOut.length) {
      await session.release();
      throw new ModelLoadError(
        `ONNX graph ${spec.name} does not match the exporter's contract: missing inputs [${missingIn.join(', ')}], outputs [${missingOut.join(', ')}]`,
        { file: spec.name, inputs: session.inputNames, outputs: session.outputNames },
      );
    }
    return new OnnxSession(spec.name, spec.device, session);
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** The element type of a tensor input (`float32`, `float16`, …), as the graph declares it. */
  inputType(name: string): Tensor.Type | undefined {
    const meta = this.session.inputMetadata.find((m) => m.name === name);
    return meta?.isTensor ? meta.type : undefined;
  }

  /** The rank of a tensor input as the graph declares it (undefined when it declares no shape). */
  inputRank(name: string): number | undefined {
    const meta = this.session.inputMetadata.find((m) => m.name === name);
    return meta?.isTensor ? meta.shape.length : undefined;
  }

  run(feeds: Record<string, Tensor>, fetches?: string[]): Promise<Record<string, Tensor>> {
    return serialized(() => (fetches ? this.session.run(feeds, fetches) : this.session.run(feeds)));
  }

  release(): Promise<void> {
    return serialized(() => this.session.release());
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  DTYPES,
  ModelLoadError,
  RagModel,
  RagSequenceForGeneration,
  RagTokenForGeneration,
  type Dtype,
} from '@rag-web/models';
import { choiceValue, requiredString, type OptionSpec, type ParsedValues } from './cli-options.js';
import { BACKEND_NAMES, CLI_DEVICES, runtimeFor, type CliDevice } from './device.js';
import { isDirectory } from './input-files.js';

export const RAG_VARIANTS = Object.freeze(['token', 'sequence'] as const);
export type RagVariant = (typeof RAG_VARIANTS)[number];

/** The flags every command that loads a model takes. */
export const MODEL_OPTIONS: OptionSpec[] = [
  { name: 'model', value: 'DIR', required: true, description: 'RAG model folder written by tools/export_rag.py (config.json, tokenizers, onnx/)' },
  { name: 'device', value: CLI_DEVICES.join('|'), description: 'ONNX runtime: onnxruntime-web WASM, or onnxruntime-node on the CPU', default: 'wasm' },
  { name: 'dtype', value: DTYPES.join('|'), description: 'which ONNX files to run (onnx/<name>{,_fp16,_quantized,_q4}.onnx)', default: 'fp32' },
];

export const VARIANT_OPTION: OptionSpec = {
  name: 'rag',
  value: RAG_VARIANTS.join('|'),
  description: 'RAG-Token or RAG-Sequence (transformers RagTokenForGeneration / RagSequenceForGeneration)',
  default: 'the architecture named in config.json, else token',
};

export interface LoadedModel {
  rag: RagModel;
  variant: RagVariant;
  /** Runs `generate` / `forward` of the chosen variant. */
  generator: RagTokenForGeneration | RagSequenceForGeneration;
  /** What runs the ONNX graphs (`onnxruntime-node 1.30 (CPU)`, ...). */
  backend: string;
  /** The folder as given on the command line. */
  given: string;
}

/**
 * Checks that `dir` is a model folder before anything heavy runs, so that a typo gives one clear
 * line instead of an error about some file inside.
 */
export async function checkModelFolder(dir: string): Promise<string> {
  const abs = resolve(dir);
  if (!(await isDirectory(abs))) throw new ModelLoadError(`model folder ${dir} not found (give the folder export_rag.py wrote)`, { dir });
  try {
    await access(join(abs, 'config.json'));
  } catch {
    throw new ModelLoadError(`${dir} is not a RAG model folder: it has no config.json`, { dir });
  }
  return abs;
}

/** The model flags, parsed and checked before anything is loaded. */
export interface ModelFlags {
  /** The folder as given on the command line. */
  given: string;
  device: CliDevice;
  dtype: Dtype;
  /** `--rag`, when the command has it and it was given. */
  variant: RagVariant | undefined;
}

export function modelFlags(values: ParsedValues): ModelFlags {
  return {
    given: requiredString(values, 'model'),
    device: choiceValue(values, 'device', CLI_DEVICES) ?? 'wasm',
    dtype: choiceValue(values, 'dtype', DTYPES) ?? 'fp32',
    variant: choiceValue(values, 'rag', RAG_VARIANTS),
  };
}

/** Loads the model on the chosen runtime; the variant from `--rag`, else from config.json's architectures. */
export async function loadModel(flags: ModelFlags, options: { loadContextEncoder?: boolean } = {}): Promise<LoadedModel> {
  const dir = await checkModelFolder(flags.given);
  const runtime = await runtimeFor(flags.device);
  const rag = await RagModel.fromPretrained(dir, { ...runtime, dtype: flags.dtype, cache: null, loadContextEncoder: options.loadContextEncoder ?? false });
  const variant = flags.variant ?? (rag.config.architectures.some((a) => /Sequence/.test(a)) ? 'sequence' : 'token');
  const generator = variant === 'token' ? new RagTokenForGeneration(rag) : new RagSequenceForGeneration(rag);
  return { rag, variant, generator, backend: BACKEND_NAMES[flags.device], given: flags.given };
}

/** One line for human output: which model, which variant, which runtime ran it. */
export function describeModel(model: LoadedModel): string {
  return `model ${model.given} (RAG-${model.variant === 'token' ? 'Token' : 'Sequence'}) on ${model.backend}`;
}

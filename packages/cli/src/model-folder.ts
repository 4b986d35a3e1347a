import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DTYPES,
  ModelLoadError,
  graphFile,
  graphSet,
  partFolder,
  type FolderKind,
  RagModel,
  RagSequenceForGeneration,
  RagTokenForGeneration,
  type Dtype,
} from '@rag-web/models';
import { choiceValue, stringValue, type OptionSpec, type ParsedValues } from './cli-options.js';
import { BACKEND_NAMES, CLI_DEVICES, runtimeFor, type CliDevice } from './device.js';
import { isDirectory } from './input-files.js';

export const RAG_VARIANTS = Object.freeze(['token', 'sequence'] as const);
export type RagVariant = (typeof RAG_VARIANTS)[number];

/**
 * The embedded default, trained by tools/train_default.py (public/models/world-facts/README.md):
 * what the commands use when no --model is given. Resolved from this file, which sits at the same
 * depth in src/ and dist/, so it works from a checkout whatever the working directory.
 */
export const DEFAULT_MODEL = Object.freeze({
  model: fileURLToPath(new URL('../../../public/models/world-facts', import.meta.url)),
  kb: fileURLToPath(new URL('../../../public/kb/world-facts', import.meta.url)),
  /** It ships fp32 and q8: q8 where the CPU runs the graphs, fp32 on WebGPU, whose EP runs q8's MatMuls on the CPU. */
  dtypes: Object.freeze({ wasm: 'q8', cpu: 'q8', webgpu: 'fp32' } satisfies Record<CliDevice, Dtype>),
});

/** The flags every command that loads a model takes. */
export const MODEL_OPTIONS: OptionSpec[] = [
  { name: 'model', value: 'DIR', description: 'RAG model folder written by tools/export_rag.py (config.json, tokenizers, onnx/), or a rag.json folder of hub-style parts', default: 'the embedded world-facts model (public/models/world-facts)' },
  { name: 'device', value: CLI_DEVICES.join('|'), description: 'ONNX runtime: onnxruntime-web WASM, onnxruntime-node on the CPU, or onnxruntime-web WebGPU on Dawn (optional package `webgpu`)', default: 'wasm' },
  { name: 'dtype', value: DTYPES.join('|'), description: 'which ONNX files to run (onnx/<name>{,_fp16,_quantized,_q4}.onnx)', default: 'fp32, else the first of q8 fp16 q4 the folder holds; the embedded model: q8, fp32 on webgpu' },
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
  if (!(await exists(join(abs, 'config.json'))) && !(await exists(join(abs, 'rag.json')))) {
    throw new ModelLoadError(`${dir} is not a RAG model folder: it has neither config.json nor rag.json`, { dir });
  }
  return abs;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The model flags, parsed and checked before anything is loaded. */
export interface ModelFlags {
  /** The folder as given on the command line (the embedded default's path without --model). */
  given: string;
  /** No --model: the embedded default model, and its knowledge base unless --kb is given. */
  isDefault: boolean;
  device: CliDevice;
  /** `--dtype`; without it, the folder's own (see `folderDtype`). */
  dtype: Dtype | undefined;
  /** `--rag`, when the command has it and it was given. */
  variant: RagVariant | undefined;
}

export function modelFlags(values: ParsedValues): ModelFlags {
  const given = stringValue(values, 'model');
  return {
    given: given ?? DEFAULT_MODEL.model,
    isDefault: given === undefined,
    device: choiceValue(values, 'device', CLI_DEVICES) ?? 'wasm',
    dtype: choiceValue(values, 'dtype', DTYPES),
    variant: choiceValue(values, 'rag', RAG_VARIANTS),
  };
}

/** fp32 where the folder has it, else the first dtype whose question encoder is there (a folder exported with q8 only). */
async function folderDtype(dir: string): Promise<Dtype> {
  const { folder, partDir } = await questionEncoderDir(dir);
  const graph = graphSet(partFolder(folder, 'question_encoder').graphSets[0]!).graphs.encoder!;
  for (const dtype of ['fp32', 'q8', 'fp16', 'q4'] as const) {
    if (await exists(join(partDir, graphFile(graph, dtype)))) return dtype;
  }
  return 'fp32';
}

/** The folder holding the question encoder: the model folder, or the local part its rag.json names. */
async function questionEncoderDir(dir: string): Promise<{ folder: FolderKind; partDir: string }> {
  if (await exists(join(dir, 'config.json'))) return { folder: 'rag', partDir: dir };
  try {
    const ref = (JSON.parse(await readFile(join(dir, 'rag.json'), 'utf8')) as { question_encoder?: unknown }).question_encoder;
    return { folder: 'hub', partDir: typeof ref === 'string' ? join(dir, ref) : dir };
  } catch {
    return { folder: 'hub', partDir: dir };
  }
}

/** Loads the model on the chosen runtime; the variant from `--rag`, else from config.json's architectures. */
export async function loadModel(flags: ModelFlags, options: { loadContextEncoder?: boolean } = {}): Promise<LoadedModel> {
  const dir = await checkModelFolder(flags.given);
  const runtime = await runtimeFor(flags.device);
  const dtype = flags.dtype ?? (flags.isDefault ? DEFAULT_MODEL.dtypes[flags.device] : await folderDtype(dir));
  const rag = await RagModel.fromPretrained(dir, { ...runtime, dtype, cache: null, loadContextEncoder: options.loadContextEncoder ?? false });
  const variant = flags.variant ?? (rag.config.architectures.some((a) => /Sequence/.test(a)) ? 'sequence' : 'token');
  const generator = variant === 'token' ? new RagTokenForGeneration(rag) : new RagSequenceForGeneration(rag);
  return { rag, variant, generator, backend: BACKEND_NAMES[flags.device], given: flags.given };
}

/** One line for human output: which model, which variant, which runtime ran it. */
export function describeModel(model: LoadedModel): string {
  return `model ${model.given} (RAG-${model.variant === 'token' ? 'Token' : 'Sequence'}) on ${model.backend}`;
}

import { GenerationConfig, RagConfig, type QuestionEncoderConfig } from '@rag-web/core';
import { resolveDtype, type Dtype } from '../dtypes.js';
import { ModelFileNotFoundError, ModelLoadError } from '../errors.js';
import type { FileCache } from '../hub/file-cache.js';
import { loadJson, loadOptionalJson, statFile } from '../hub/file-loader.js';
import { MANIFEST_FILE, parseManifest, type FileFacts, type Manifest } from '../hub/manifest.js';
import { fileKey, resolveModelSource, type HubOptions, type ModelSource } from '../hub/model-source.js';
import { embeddingModelId } from './embedding-model-id.js';
import {
  TOKENIZER_FILES,
  graphFile,
  graphName,
  graphSet,
  isGraphSetName,
  partFolder,
  type FolderKind,
  type GraphRole,
  type GraphSet,
  type GraphSetName,
  type PartKind,
} from '../layout/model-layout.js';

/** One part of a RAG model, located and matched to a graph set of the layout contract. */
export interface PartPlan {
  part: PartKind;
  source: ModelSource;
  folder: FolderKind;
  /** Prefix of this part's files in progress events: '' for a one-folder model, `generator/` for a rag.json part. */
  label: string;
  graphSet: GraphSet;
  /** The ONNX file of each graph, in the dtype asked for. */
  graphFiles: Partial<Record<GraphRole, string>>;
  tokenizerFiles: string[];
  /** Size (and SHA-256 where known) of every file above, before any is downloaded. */
  facts: Map<string, FileFacts>;
}

/** Everything read before the first large download: configs, and where each part's files are. */
export interface ModelPlan {
  modelId: string;
  config: RagConfig;
  generationConfig: GenerationConfig;
  ctxConfig?: QuestionEncoderConfig;
  parts: { questionEncoder: PartPlan; generator: PartPlan; ctxEncoder?: PartPlan };
  /** The context encoder's identity from its digests (embedding-model-id.ts); a rag.json model has one only with `loadContextEncoder`. */
  embeddingModelId?: string;
}

export interface PlanOptions extends HubOptions {
  /** One dtype for every graph, or per graph (by its file's base name in layouts.json). */
  dtype?: Dtype | Partial<Record<string, Dtype>>;
  loadContextEncoder?: boolean;
  /** The generator's graph set (`bart-split`, `bart-merged`) instead of the first complete one. */
  generatorLayout?: GraphSetName;
  cache?: FileCache | undefined;
  signal?: AbortSignal | undefined;
}

/** A part named in rag.json: a folder relative to it (`generator`, `./parts/bart`), a URL, or a hub id (`Xenova/bart-base`). */
export type PartReference = string | { model: string; revision?: string };

/** `rag.json`: a RAG model assembled from parts laid out as hub repos (see tools/README.md). */
export interface RagJson {
  question_encoder: PartReference;
  generator: PartReference;
  ctx_encoder?: PartReference;
  /** The RAG fields of transformers' RagConfig (`n_docs`, `max_combined_length`, …), without the sub-configs. */
  config?: Record<string, unknown>;
}

const RAG_JSON = 'rag.json';

/**
 * Phase one of loading: configs and manifests, the graph set of each part (the first of the
 * layout's list whose files are all there, by the manifest or by asking the server), and the size
 * of every file still to fetch. A folder with a RAG `config.json` is one folder (tools/export_rag.py);
 * without one, its `rag.json` names the parts.
 */
export async function readModelConfigs(source: ModelSource, modelId: string, options: PlanOptions = {}): Promise<ModelPlan> {
  const io = { cache: options.cache, signal: options.signal };
  const manifest = await readManifest(source, io);
  const configJson = await loadOptionalJson(source, 'config.json', { ...io, expected: manifest?.files['config.json'] });
  if (configJson) return planRagFolder(source, modelId, configJson, manifest, options);
  const ragJson = await loadOptionalJson(source, RAG_JSON, { ...io, expected: manifest?.files[RAG_JSON] });
  if (!ragJson) {
    throw new ModelFileNotFoundError(`${modelId} is not a RAG model: it has neither config.json nor ${RAG_JSON}`, { file: 'config.json', model: modelId });
  }
  return planFromParts(source, modelId, ragJson, options);
}

/**
 * The context encoder's identity (`embeddingModelId`) of a model folder or URL, from its
 * manifest.json (and rag.json) alone: no graph is downloaded. For a knowledge base whose
 * embeddings were computed elsewhere with that encoder (`rag index --embeddings`).
 */
export async function readEmbeddingModelId(model: string, options: HubOptions & { signal?: AbortSignal } = {}): Promise<string | undefined> {
  const io = { signal: options.signal };
  const source = resolveModelSource(model, options);
  const rag = (await loadOptionalJson(source, RAG_JSON, io)) as Partial<RagJson> | undefined;
  if (!rag) return embeddingModelId(await readManifest(source, io), 'rag');
  return rag.ctx_encoder ? embeddingModelId(await readManifest(partSourceOf(source, rag.ctx_encoder, options), io), 'hub') : undefined;
}

async function planRagFolder(source: ModelSource, modelId: string, configJson: Record<string, unknown>, manifest: Manifest | undefined, options: PlanOptions): Promise<ModelPlan> {
  const io = { cache: options.cache, signal: options.signal };
  const config = RagConfig.fromJson(configJson);
  const layers = config.generator.decoderLayers;
  const generationConfig = await readGenerationConfig(source, partFolder('rag', 'generator').generationConfig!, manifest, config, options);
  const [questionEncoder, generator] = await Promise.all([
    planPart('question_encoder', source, 'rag', '', manifest, layers, options),
    planPart('generator', source, 'rag', '', manifest, layers, options),
  ]);
  const plan: ModelPlan = { modelId, config, generationConfig, parts: { questionEncoder, generator } };
  const id = await embeddingModelId(manifest, 'rag');
  if (id) plan.embeddingModelId = id;
  if (options.loadContextEncoder) {
    const ctxConfigFile = partFolder('rag', 'ctx_encoder').config!;
    const ctxJson = await loadJson(source, ctxConfigFile, { ...io, expected: manifest?.files[ctxConfigFile] }).catch((err: unknown) => {
      throw err instanceof ModelFileNotFoundError ? new ModelFileNotFoundError(err.message, { ...err.details, part: 'ctx_encoder' }) : err;
    });
    plan.ctxConfig = encoderConfig(ctxJson, config);
    plan.parts.ctxEncoder = await planPart('ctx_encoder', source, 'rag', '', manifest, layers, options);
  }
  return plan;
}

async function planFromParts(source: ModelSource, modelId: string, json: Record<string, unknown>, options: PlanOptions): Promise<ModelPlan> {
  const rag = json as Partial<RagJson>;
  if (!rag.question_encoder || !rag.generator) {
    throw new ModelLoadError(`${RAG_JSON} of ${modelId} must name a "question_encoder" and a "generator"`, { file: RAG_JSON });
  }
  const io = { cache: options.cache, signal: options.signal };
  const located = async (part: PartKind, ref: PartReference) => {
    const partSource = partSourceOf(source, ref, options);
    const manifest = await readManifest(partSource, io);
    const configFile = partFolder('hub', part).config!;
    const config = await loadJson(partSource, configFile, { ...io, expected: manifest?.files[configFile] });
    return { part, source: partSource, manifest, config };
  };
  const [q, g, c] = await Promise.all([
    located('question_encoder', rag.question_encoder),
    located('generator', rag.generator),
    options.loadContextEncoder ? (rag.ctx_encoder ? located('ctx_encoder', rag.ctx_encoder) : missingCtxEncoder(modelId)) : undefined,
  ]);
  const config = RagConfig.fromJson({ model_type: 'rag', ...(rag.config ?? {}), question_encoder: q.config, generator: g.config });
  const layers = config.generator.decoderLayers;
  const generationConfig = await readGenerationConfig(g.source, partFolder('hub', 'generator').generationConfig!, g.manifest, config, options);
  const [questionEncoder, generator, ctxEncoder] = await Promise.all(
    [q, g, c].map((p) => p && planPart(p.part, p.source, 'hub', `${p.part}/`, p.manifest, layers, options)),
  );
  const id = c && (await embeddingModelId(c.manifest, 'hub'));
  return {
    modelId,
    ...(id ? { embeddingModelId: id } : {}),
    config,
    generationConfig,
    ...(c ? { ctxConfig: encoderConfig(c.config, config) } : {}),
    parts: { questionEncoder: questionEncoder!, generator: generator!, ...(ctxEncoder ? { ctxEncoder } : {}) },
  };
}

/** A DPR (or BERT) encoder config, checked as RagConfig checks its question encoder. */
function encoderConfig(json: Record<string, unknown>, config: RagConfig): QuestionEncoderConfig {
  return RagConfig.fromQuestionEncoderGeneratorConfigs(json, config.generatorJson).questionEncoder;
}

function missingCtxEncoder(modelId: string): never {
  throw new ModelFileNotFoundError(`${RAG_JSON} of ${modelId} names no "ctx_encoder"`, { file: RAG_JSON, part: 'ctx_encoder' });
}

async function readManifest(source: ModelSource, io: { cache?: FileCache | undefined; signal?: AbortSignal | undefined }): Promise<Manifest | undefined> {
  const json = await loadOptionalJson(source, MANIFEST_FILE, io);
  return json && parseManifest(json, fileKey(source, MANIFEST_FILE));
}

/** generation_config.json, or `GenerationConfig.from_model_config` when the file is not there (a 404, not any error). */
async function readGenerationConfig(source: ModelSource, path: string, manifest: Manifest | undefined, config: RagConfig, options: PlanOptions): Promise<GenerationConfig> {
  const json = await loadOptionalJson(source, path, { cache: options.cache, signal: options.signal, expected: manifest?.files[path] });
  return json ? GenerationConfig.fromJson(json) : GenerationConfig.fromModelConfig(config);
}

/** Where a rag.json part lives: relative to the rag.json (no `owner/name` form), a URL, or a hub id. */
export function partSourceOf(root: ModelSource, ref: PartReference, hub: HubOptions): ModelSource {
  const { model, revision } = typeof ref === 'string' ? { model: ref, revision: undefined } : ref;
  if (typeof model !== 'string' || model.trim() === '') throw new ModelLoadError(`${RAG_JSON}: a part reference must be a non-empty string`, { file: RAG_JSON });
  const relative = /^\.\.?\//.test(model) || !model.includes('/');
  if (!relative || /^https?:\/\//.test(model)) return resolveModelSource(model, { ...hub, ...(revision ? { revision } : {}) });
  const rel = model.replace(/^\.\//, '').replace(/\/+$/, '');
  switch (root.kind) {
    case 'url':
      return { kind: 'url', base: new URL(`${rel}/`, `${root.base}/`).href.replace(/\/+$/, '') };
    case 'local':
      return { kind: 'local', dir: `${root.dir.replace(/\/+$/, '')}/${rel}` };
    case 'bytes':
      return { kind: 'bytes', files: root.files, dir: `${root.dir}${rel}/` };
  }
}

async function planPart(part: PartKind, source: ModelSource, folder: FolderKind, label: string, manifest: Manifest | undefined, layers: number, options: PlanOptions): Promise<PartPlan> {
  const layout = partFolder(folder, part);
  const forced = part === 'generator' ? options.generatorLayout : undefined;
  if (forced !== undefined && !isGraphSetName(forced)) throw new TypeError(`generatorLayout ${JSON.stringify(forced)} is not a graph set of layouts.json`);
  const candidates = forced ? [forced] : layout.graphSets;
  const facts = new Map<string, FileFacts>();
  const factsOf = async (path: string) => {
    // The exporter's manifest lists every file of its folder: what it does not list is not there.
    const known = manifest ? manifest.files[path] : await statFile(source, path, { signal: options.signal, cache: options.cache });
    if (known) facts.set(path, known);
    return known;
  };
  const lacking: string[] = [];
  for (const name of candidates) {
    const set = graphSet(name, layers);
    const graphFiles: Partial<Record<GraphRole, string>> = {};
    for (const [role, graph] of Object.entries(set.graphs) as Array<[GraphRole, NonNullable<GraphSet['graphs'][GraphRole]>]>) {
      graphFiles[role] = graphFile(graph, resolveDtype(options.dtype, graphName(graph)));
    }
    const missing = (await Promise.all(Object.values(graphFiles).map(async (f) => ((await factsOf(f)) ? undefined : f)))).filter((f) => f !== undefined);
    if (missing.length) {
      lacking.push(`${name} lacks ${missing.join(', ')}`);
      continue;
    }
    const tokenizerFiles = TOKENIZER_FILES.map((f) => `${layout.tokenizer}${f}`);
    for (const f of tokenizerFiles) {
      if (!(await factsOf(f))) throw new ModelFileNotFoundError(`model file ${f} not found in ${fileKey(source, '')}`, { file: f, part });
    }
    return { part, source, folder, label, graphSet: set, graphFiles, tokenizerFiles, facts };
  }
  throw new ModelFileNotFoundError(`${part}: no complete set of ONNX graphs in ${fileKey(source, '')}: ${lacking.join('; ')}`, {
    file: Object.values(graphSet(candidates[0]!, layers).graphs)[0]?.file ?? part,
    part,
  });
}

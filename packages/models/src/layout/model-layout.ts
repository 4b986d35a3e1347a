import type { Dtype } from '../dtypes.js';
import layouts from './layouts.json' with { type: 'json' };

/** A model part: what a RAG model is assembled from. */
export type PartKind = 'question_encoder' | 'ctx_encoder' | 'generator';
// The key unions are spelled out rather than `keyof typeof layouts.…` so that the published .d.ts
// does not import the JSON (which dist/ does not ship); `folders` / `graphSets` below stop
// compiling if they and layouts.json drift apart.
/** `rag`: one folder for the whole model (tools/export_rag.py); `hub`: one repo per part, combined by rag.json. */
export type FolderKind = 'rag' | 'hub';
export type GraphSetName = 'dpr-question' | 'dpr-ctx' | 'bert-feature-extraction' | 'bart-split' | 'bart-merged';
/** What a graph does in its part; the generator's decoder is `decoder` + `decoderWithPast` or one `decoderMerged`. */
export type GraphRole = 'encoder' | 'decoder' | 'decoderWithPast' | 'decoderMerged';

export interface GraphLayout {
  /** Path of the fp32 file without `.onnx` (`onnx/<name>`). */
  file: string;
  inputs: string[];
  outputs: string[];
  gpuOutputs: string[];
}

export interface GraphSet {
  name: GraphSetName;
  /** Encoders: the embedding is the graph's `pooler_output`, or the [CLS] row of `last_hidden_state`. */
  pooling?: 'pooler_output' | 'cls';
  graphs: Partial<Record<GraphRole, GraphLayout>>;
}

export interface PartFolder {
  /** The part's own config file, or null when it is a sub-config of the RAG config.json. */
  config: string | null;
  generationConfig?: string;
  /** Folder prefix of tokenizer.json / tokenizer_config.json ('' = the part's root). */
  tokenizer: string;
  graphSets: GraphSetName[];
}

/** `T` if its keys are exactly `K`; otherwise a property is missing or typed `never`, and assigning to it fails. */
type ExactKeys<T, K extends PropertyKey> = { [P in K | keyof T]: P extends K ? (P extends keyof T ? T[P] : never) : never };
const folders: ExactKeys<typeof layouts.folders, FolderKind> = layouts.folders;
const graphSets: ExactKeys<typeof layouts.graphSets, GraphSetName> = layouts.graphSets;

export const DTYPE_SUFFIX: Readonly<Record<Dtype, string>> = Object.freeze(layouts.dtypeSuffix);
export const TOKENIZER_FILES: readonly string[] = Object.freeze(layouts.tokenizerFiles);

export function partFolder(folder: FolderKind, part: PartKind): PartFolder {
  return folders[folder][part] as PartFolder;
}

export function isGraphSetName(name: string): name is GraphSetName {
  return Object.hasOwn(graphSets, name);
}

/** A graph set with its `{layer}` entries expanded for `layers` decoder layers. */
export function graphSet(name: GraphSetName, layers = 0): GraphSet {
  const raw = graphSets[name] as { pooling?: 'pooler_output' | 'cls'; graphs: Partial<Record<GraphRole, GraphLayout>> };
  const graphs: Partial<Record<GraphRole, GraphLayout>> = {};
  for (const [role, g] of Object.entries(raw.graphs) as Array<[GraphRole, GraphLayout]>) {
    graphs[role] = { file: g.file, inputs: expandLayers(g.inputs, layers), outputs: expandLayers(g.outputs, layers), gpuOutputs: expandLayers(g.gpuOutputs, layers) };
  }
  return { name, ...(raw.pooling ? { pooling: raw.pooling } : {}), graphs };
}

/** Consecutive `{layer}` entries form a group, repeated layer by layer (the exporter's I/O order). */
export function expandLayers(names: readonly string[], layers: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < names.length; ) {
    if (!names[i]!.includes('{layer}')) {
      out.push(names[i++]!);
      continue;
    }
    let end = i;
    while (end < names.length && names[end]!.includes('{layer}')) end++;
    for (let l = 0; l < layers; l++) for (let k = i; k < end; k++) out.push(names[k]!.replaceAll('{layer}', String(l)));
    i = end;
  }
  return out;
}

export function graphFile(graph: GraphLayout, dtype: Dtype): string {
  return `${graph.file}${DTYPE_SUFFIX[dtype]}.onnx`;
}

/** The name a graph's dtype is chosen by in `dtype: { … }` records: its file's base name. */
export function graphName(graph: GraphLayout): string {
  return graph.file.slice(graph.file.lastIndexOf('/') + 1);
}

import type { Dtype } from '../dtypes.js';
import layouts from './layouts.json' with { type: 'json' };

/** A model part: what a RAG model is assembled from. */
export type PartKind = 'question_encoder' | 'ctx_encoder' | 'generator';
/** `rag`: one folder for the whole model (tools/export_rag.py); `hub`: one repo per part, combined by rag.json. */
export type FolderKind = keyof typeof layouts.folders;
export type GraphSetName = keyof typeof layouts.graphSets;
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

export const DTYPE_SUFFIX: Readonly<Record<Dtype, string>> = Object.freeze(layouts.dtypeSuffix);
export const TOKENIZER_FILES: readonly string[] = Object.freeze(layouts.tokenizerFiles);

export function partFolder(folder: FolderKind, part: PartKind): PartFolder {
  return layouts.folders[folder][part] as PartFolder;
}

export function isGraphSetName(name: string): name is GraphSetName {
  return Object.hasOwn(layouts.graphSets, name);
}

/** A graph set with its `{layer}` entries expanded for `layers` decoder layers. */
export function graphSet(name: GraphSetName, layers = 0): GraphSet {
  const raw = layouts.graphSets[name] as { pooling?: 'pooler_output' | 'cls'; graphs: Partial<Record<GraphRole, GraphLayout>> };
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

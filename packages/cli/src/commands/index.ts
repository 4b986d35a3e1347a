import { join } from 'node:path';
import { RagConfig, assertFiniteEmbeddings, type Embedder } from '@rag-web/core';
import { ModelLoadError, readEmbeddingModelId } from '@rag-web/models';
import { encoderProbe } from '@rag-web/rag';
import { EmbeddingDimensionError, HNSW_DEFAULTS, KnowledgeBase, MemoryBackend, type IngestEvent, type PassageInput } from '@rag-web/retriever';
import { choiceValue, flag, intValue, requiredString, stringValue, type ParsedValues } from '../cli-options.js';
import { JSON_OPTION, out, type Command } from '../command.js';
import { InputFileError, UsageError } from '../errors.js';
import { readEmbeddingsFile, readPassagesFile, readTextFile } from '../input-files.js';
import { INDEX_KINDS, folderHasFiles, writeKnowledgeBaseFolder, type IndexKind } from '../kb-folder-files.js';
import { MODEL_OPTIONS, checkModelFolder, loadModel, modelFlags, type LoadedModel } from '../model-folder.js';
import { ProgressBar } from '../progress-bar.js';

export const indexCommand: Command = {
  spec: {
    name: 'index',
    brief: 'build a knowledge-base folder from passages (and their embeddings)',
    summary: 'Build a knowledge-base folder (passages, embeddings, search graph) that rag ask and the browser load as-is.',
    usage: 'rag index [--model DIR] --passages FILE.jsonl [--embeddings FILE.npy] --out KB_DIR [options]',
    options: [
      ...MODEL_OPTIONS,
      { name: 'passages', value: 'FILE.jsonl', required: true, description: 'one {"title", "text"} object per line; doc id = 0-based line number' },
      {
        name: 'embeddings',
        value: 'FILE.npy',
        description: 'float32 (passages × retrieval_vector_size) .npy in passage order; without it the model folder\'s DPR context encoder embeds the passages',
        default: "none (embed with the model's context encoder)",
      },
      { name: 'out', value: 'KB_DIR', required: true, description: 'folder to write (manifest.json, passages.jsonl, embeddings.npy, index.hnsw)' },
      { name: 'index', value: INDEX_KINDS.join('|'), description: 'store an HNSW graph, or none (exact inner-product search at load time)', default: 'hnsw' },
      { name: 'hnsw-m', value: 'M', description: 'HNSW graph degree', default: String(HNSW_DEFAULTS.m) },
      { name: 'ef-construction', value: 'EF', description: 'HNSW build-time candidate list size', default: String(HNSW_DEFAULTS.efConstruction) },
      { name: 'ef-search', value: 'EF', description: 'HNSW search-time candidate list size (stored in the manifest)', default: String(HNSW_DEFAULTS.efSearch) },
      { name: 'batch-size', value: 'N', description: 'passages per context-encoder call and per write', default: '64' },
      {
        name: 'model-id',
        value: 'NAME',
        description: 'encoder identity recorded in manifest.json (modelId)',
        default: "the context encoder's identity from its weights (sha256:…, as the browser computes it), else the --model argument",
      },
      { name: 'force', description: 'write into a KB_DIR that already has files', default: 'false' },
      JSON_OPTION,
    ],
    notes: ['--json: one object {out, count, dimension, index, embedded, modelId, files} describing what was written.'],
  },

  async run(values: ParsedValues): Promise<void> {
    const outDir = requiredString(values, 'out');
    const kind: IndexKind = choiceValue(values, 'index', INDEX_KINDS) ?? 'hnsw';
    const batchSize = intValue(values, 'batch-size', 1) ?? 64;
    const hnsw = {
      m: intValue(values, 'hnsw-m', 2) ?? HNSW_DEFAULTS.m,
      efConstruction: intValue(values, 'ef-construction', 1) ?? HNSW_DEFAULTS.efConstruction,
      efSearch: intValue(values, 'ef-search', 1) ?? HNSW_DEFAULTS.efSearch,
    };
    const modelArgs = modelFlags(values);
    const modelArg = modelArgs.given;
    const json = flag(values, 'json');
    const givenModelId = stringValue(values, 'model-id');
    const passagesPath = requiredString(values, 'passages');
    const embeddingsPath = stringValue(values, 'embeddings');
    if (!flag(values, 'force') && (await folderHasFiles(outDir))) {
      throw new UsageError(`${outDir} already has files; pass --force to write the knowledge base into it anyway`);
    }
    const modelDir = await checkModelFolder(modelArg);
    const passages = await readPassagesFile(passagesPath);
    if (passages.length === 0) throw new InputFileError(`${passagesPath} holds no passages`);

    let embedder: Embedder | undefined;
    let model: LoadedModel | undefined;
    let probe: Float32Array | undefined;
    let dimension: number;
    let rows: PassageInput[];
    // The identity from the weights, not the path: a page that loads the same model by URL gets the same.
    let modelId: string;
    if (embeddingsPath) {
      // Embeddings given: only config.json (retrieval_vector_size) and manifest.json are needed, no ONNX session.
      dimension = await retrievalVectorSize(modelDir);
      rows = await attachEmbeddings(passages, passagesPath, embeddingsPath, dimension);
      modelId = givenModelId ?? (await readEmbeddingModelId(modelDir)) ?? modelArg;
    } else {
      model = await loadModel(modelArgs, { loadContextEncoder: true });
      const encoder = model.rag.components.contextEncoder!;
      dimension = model.rag.config.retrievalVectorSize;
      modelId = givenModelId ?? model.rag.components.embeddingModelId ?? modelArg;
      embedder = { modelId, dimension: encoder.dimension, embed: (p, o) => encoder.embed(p, o) };
      probe = await encoderProbe(model.rag);
      rows = passages;
    }

    const kb = await KnowledgeBase.open({ backend: new MemoryBackend('rag-index'), dimension, modelId, index: kind, hnsw });
    const bar = new ProgressBar(embedder ? 'embedding passages' : 'storing passages', rows.length);
    const onProgress = (e: IngestEvent) => {
      if (e.status === 'progress') bar.update(e.done);
      if (e.status === 'indexing') bar.finish();
    };
    let embedded: number;
    try {
      ({ embedded } = await kb.ingest({ passages: rows }, { ...(embedder ? { embedder } : {}), ...(probe ? { encoderProbe: probe } : {}), modelId, batchSize, onProgress }));
    } finally {
      bar.finish();
      await model?.rag.dispose();
    }
    const files = await writeKnowledgeBaseFolder(kb, outDir);
    await kb.close();
    const summary = { out: outDir, count: rows.length, dimension, index: kind, embedded, modelId, files: [...files.keys()] };
    if (json) out(JSON.stringify(summary));
    else {
      const how = model ? `embedded with ${modelArg}'s context encoder on ${model.backend}` : `embeddings from ${embeddingsPath}`;
      out(`indexed ${summary.count} passages (dimension ${dimension}, ${how}, ${kind === 'hnsw' ? 'HNSW graph' : 'exact search'}) into ${outDir}`);
    }
  },
};

/** The question encoder's `retrieval_vector_size`, the width every passage embedding must have. */
async function retrievalVectorSize(modelDir: string): Promise<number> {
  const path = join(modelDir, 'config.json');
  const text = await readTextFile(path, 'model config');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelLoadError(`${path} is not valid JSON: ${(err as Error).message}`, { file: 'config.json' });
  }
  return RagConfig.fromJson(json).retrievalVectorSize;
}

/** Pairs row i of the `.npy` with line i of the passages file, after checking the shape. */
async function attachEmbeddings(passages: PassageInput[], passagesPath: string, npyPath: string, dimension: number): Promise<PassageInput[]> {
  const npy = await readEmbeddingsFile(npyPath);
  if (npy.cols !== dimension) {
    throw new EmbeddingDimensionError(dimension, npy.cols, `${npyPath} (shape (${npy.rows}, ${npy.cols}); the model's retrieval_vector_size is ${dimension})`);
  }
  if (npy.rows !== passages.length) {
    throw new InputFileError(`${npyPath} has ${npy.rows} rows but ${passagesPath} has ${passages.length} passages: row i must embed line i`, {
      rows: npy.rows,
      passages: passages.length,
    });
  }
  assertFiniteEmbeddings(npy.data, dimension, npyPath);
  return passages.map((p, i) => ({ ...p, embedding: npy.data.subarray(i * dimension, (i + 1) * dimension) }));
}

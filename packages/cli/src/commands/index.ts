import { join } from 'node:path';
import { RagConfig, assertFiniteEmbeddings, type Embedder, type IngestEvent } from '@rag-web/core';
import { PG_HNSW_DEFAULTS, PgKnowledgeBase } from '@rag-web/pgvector';
import { ModelLoadError, readEmbeddingModelId } from '@rag-web/models';
import { encoderProbe } from '@rag-web/rag';
import { EmbeddingDimensionError, HNSW_DEFAULTS, KnowledgeBase, MemoryBackend, type PassageInput } from '@rag-web/retriever';
import { choiceValue, flag, intValue, requiredString, stringValue, type ParsedValues } from '../cli-options.js';
import { JSON_OPTION, out, type Command } from '../command.js';
import { InputFileError, UsageError } from '../errors.js';
import { readEmbeddingsFile, readPassagesFile, readTextFile } from '../input-files.js';
import { INDEX_KINDS, folderHasFiles, writeKnowledgeBaseFolder, type IndexKind } from '../kb-folder-files.js';
import { KB_NAME_OPTION, isPostgresUrl } from '../knowledge-base-arg.js';
import { MODEL_OPTIONS, checkModelFolder, loadModel, modelFlags, type LoadedModel } from '../model-folder.js';
import { ProgressBar } from '../progress-bar.js';

export const indexCommand: Command = {
  spec: {
    name: 'index',
    brief: 'build a knowledge base from passages (and their embeddings): a folder, or tables on Postgres',
    summary:
      'Build a knowledge-base folder (passages, embeddings, search graph) that rag ask and the browser load as-is, ' +
      'or ingest into Postgres + pgvector (--kb postgres://…: one transaction per batch, a rerun of the same command resumes).',
    usage: 'rag index [--model DIR] --passages FILE.jsonl [--embeddings FILE.npy] (--out KB_DIR | --kb postgres://… [--kb-name NAME]) [options]',
    options: [
      ...MODEL_OPTIONS,
      { name: 'passages', value: 'FILE.jsonl', required: true, description: 'one {"title", "text"} object per line; doc id = 0-based line number' },
      {
        name: 'embeddings',
        value: 'FILE.npy',
        description: 'float32 (passages × retrieval_vector_size) .npy in passage order; without it the model folder\'s DPR context encoder embeds the passages',
        default: "none (embed with the model's context encoder)",
      },
      { name: 'out', value: 'KB_DIR', description: 'folder to write (manifest.json, passages.jsonl, embeddings.npy, index.hnsw)', default: 'none: --kb' },
      { name: 'kb', value: 'postgres://…', description: 'a Postgres database with pgvector to ingest into instead of a folder', default: 'none: --out' },
      KB_NAME_OPTION,
      { name: 'index', value: INDEX_KINDS.join('|'), description: 'store an HNSW graph (on Postgres: CREATE INDEX … USING hnsw), or none (exact inner-product search)', default: 'hnsw' },
      { name: 'hnsw-m', value: 'M', description: 'HNSW graph degree', default: `${HNSW_DEFAULTS.m} (Postgres: ${PG_HNSW_DEFAULTS.m})` },
      { name: 'ef-construction', value: 'EF', description: 'HNSW build-time candidate list size', default: `${HNSW_DEFAULTS.efConstruction} (Postgres: ${PG_HNSW_DEFAULTS.efConstruction})` },
      { name: 'ef-search', value: 'EF', description: 'HNSW search-time candidate list size (stored in the manifest)', default: `${HNSW_DEFAULTS.efSearch} (Postgres: ${PG_HNSW_DEFAULTS.efSearch})` },
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
    notes: [
      '--json: one object {out, count, dimension, index, embedded, modelId, files} describing what was written (with --kb: {kb, name, count, resumed, firstId, dimension, index, embedded, modelId}).',
      'With --kb the passages are appended to what the knowledge base holds (doc id = its next id + line number); an interrupted run resumes when run again with the same input.',
    ],
  },

  async run(values: ParsedValues): Promise<void> {
    const outDir = stringValue(values, 'out');
    const kbUrl = stringValue(values, 'kb');
    if ((outDir === undefined) === (kbUrl === undefined)) throw new UsageError('rag index: give either --out KB_DIR (a folder) or --kb postgres://… (a database)');
    if (kbUrl !== undefined && !isPostgresUrl(kbUrl)) throw new UsageError(`rag index: --kb takes a postgres:// URL (a folder is written with --out), got ${kbUrl}`);
    const kind: IndexKind = choiceValue(values, 'index', INDEX_KINDS) ?? 'hnsw';
    const batchSize = intValue(values, 'batch-size', 1) ?? 64;
    const hnswFlags = { m: intValue(values, 'hnsw-m', 2), efConstruction: intValue(values, 'ef-construction', 1), efSearch: intValue(values, 'ef-search', 1) };
    const hnsw = { m: hnswFlags.m ?? HNSW_DEFAULTS.m, efConstruction: hnswFlags.efConstruction ?? HNSW_DEFAULTS.efConstruction, efSearch: hnswFlags.efSearch ?? HNSW_DEFAULTS.efSearch };
    // On Postgres, pgvector's own defaults where no flag is given (its ef_search stops at 1000).
    const pgHnsw = Object.fromEntries(Object.entries(hnswFlags).filter(([, v]) => v !== undefined));
    const modelArgs = modelFlags(values);
    const modelArg = modelArgs.given;
    const json = flag(values, 'json');
    const givenModelId = stringValue(values, 'model-id');
    const passagesPath = requiredString(values, 'passages');
    const embeddingsPath = stringValue(values, 'embeddings');
    if (outDir !== undefined && !flag(values, 'force') && (await folderHasFiles(outDir))) {
      throw new UsageError(`${outDir} already has files; pass --force to write the knowledge base into it anyway`);
    }
    const modelDir = await checkModelFolder(modelArg);
    // A database that is down or holds another width fails before the model loads; the model is checked at ingest.
    const kbName = stringValue(values, 'kb-name');
    const pg = kbUrl === undefined ? undefined : await PgKnowledgeBase.open(kbUrl, { ...(kbName ? { name: kbName } : {}), dimension: await retrievalVectorSize(modelDir), index: kind, hnsw: pgHnsw });
    try {
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

      const bar = new ProgressBar(embedder ? 'embedding passages' : 'storing passages', rows.length);
      const onProgress = (e: IngestEvent) => {
        if (e.status === 'resumed' || e.status === 'progress') bar.update(e.done);
        if (e.status === 'indexing') bar.finish();
      };
      const ingestOptions = { ...(embedder ? { embedder } : {}), ...(probe ? { encoderProbe: probe } : {}), modelId, batchSize, onProgress };
      if (pg !== undefined) {
        let result: Awaited<ReturnType<PgKnowledgeBase['ingest']>>;
        try {
          result = await pg.ingest(rows, ingestOptions);
          bar.finish();
        } finally {
          bar.close();
          await model?.rag.dispose();
        }
        const summary = { kb: pg.address, name: pg.name, count: result.count, resumed: result.resumed, firstId: result.firstId, dimension, index: kind, embedded: result.embedded, modelId };
        if (json) out(JSON.stringify(summary));
        else {
          const resumed = result.resumed > 0 ? `, resuming after ${result.resumed} already stored` : '';
          out(`indexed ${result.count} passages (doc ids ${result.firstId}…${result.firstId + result.count - 1}${resumed}) into Postgres ${pg.address}, knowledge base "${pg.name}" (${await pg.count()} passages, ${kind === 'hnsw' ? 'HNSW index' : 'exact search'})`);
        }
        return;
      }

      const kb = await KnowledgeBase.open({ backend: new MemoryBackend('rag-index'), dimension, modelId, index: kind, hnsw });
      let embedded: number;
      try {
        ({ embedded } = await kb.ingest({ passages: rows }, ingestOptions));
        bar.finish();
      } finally {
        bar.close();
        await model?.rag.dispose();
      }
      const files = await writeKnowledgeBaseFolder(kb, outDir!);
      await kb.close();
      const summary = { out: outDir, count: rows.length, dimension, index: kind, embedded, modelId, files: [...files.keys()] };
      if (json) out(JSON.stringify(summary));
      else {
        const how = model ? `embedded with ${modelArg}'s context encoder on ${model.backend}` : `embeddings from ${embeddingsPath}`;
        out(`indexed ${summary.count} passages (dimension ${dimension}, ${how}, ${kind === 'hnsw' ? 'HNSW graph' : 'exact search'}) into ${outDir}`);
      }
    } finally {
      await pg?.close();
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

import { type KnowledgeBase } from '@rag-web/retriever';
import { type ParsedValues, choiceValue, requiredString } from './cli-options.js';
import { INDEX_KINDS, openKnowledgeBaseFolder } from './kb-folder-files.js';
import { loadModel, type LoadedModel, type ModelFlags } from './model-folder.js';
import { QuestionRetriever } from './retrieval.js';

/** What `ask`, `score` and `eval` work with: the knowledge base of `--kb`, the model of `--model`, and retrieval over both. */
export interface RagSession {
  kb: KnowledgeBase;
  model: LoadedModel;
  retriever: QuestionRetriever;
}

/**
 * Opens `--kb` (with `--index`), then loads the model, runs `fn`, and releases both whatever
 * happens. The knowledge base comes first: a wrong folder fails before the slower model load.
 */
export async function withRagSession<T>(values: ParsedValues, modelFlags: ModelFlags, fn: (session: RagSession) => Promise<T>): Promise<T> {
  const kb = await openKnowledgeBaseFolder(requiredString(values, 'kb'), choiceValue(values, 'index', INDEX_KINDS));
  try {
    const model = await loadModel(modelFlags);
    try {
      return await fn({ kb, model, retriever: new QuestionRetriever(model.rag, kb) });
    } finally {
      await model.rag.dispose();
    }
  } finally {
    await kb.close();
  }
}

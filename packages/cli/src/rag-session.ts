import { encoderProbe } from '@rag-web/rag';
import { checkEncoderProbe } from '@rag-web/core';
import { type ParsedValues, choiceValue, requiredString, stringValue } from './cli-options.js';
import { INDEX_KINDS } from './kb-folder-files.js';
import { openKnowledgeBase, type CliKnowledgeBase } from './knowledge-base-arg.js';
import { UsageError } from './errors.js';
import { DEFAULT_MODEL, loadModel, type LoadedModel, type ModelFlags } from './model-folder.js';
import { QuestionRetriever } from './retrieval.js';

/** What `ask`, `score` and `eval` work with: the knowledge base of `--kb` (a folder or Postgres), the model of `--model`, and retrieval over both. */
export interface RagSession {
  kb: CliKnowledgeBase;
  model: LoadedModel;
  retriever: QuestionRetriever;
}

/** `--kb`; without it, the embedded default's knowledge base, when the model is the default too. */
function knowledgeBaseArg(values: ParsedValues, modelFlags: ModelFlags): string {
  if (values.kb === undefined && modelFlags.isDefault) return DEFAULT_MODEL.kb;
  if (values.kb === undefined) throw new UsageError('--kb is required with --model (the knowledge base that model encoded)');
  return requiredString(values, 'kb');
}

/**
 * Opens `--kb` (with `--index`), then loads the model, runs `fn`, and releases both whatever
 * happens. The knowledge base comes first: a wrong folder fails before the slower model load.
 */
export async function withRagSession<T>(values: ParsedValues, modelFlags: ModelFlags, fn: (session: RagSession) => Promise<T>): Promise<T> {
  const kb = await openKnowledgeBase(knowledgeBaseArg(values, modelFlags), { index: choiceValue(values, 'index', INDEX_KINDS), name: stringValue(values, 'kb-name') });
  try {
    const model = await loadModel(modelFlags);
    try {
      // Same width is not same encoder: a knowledge base that recorded its model's probe refuses another.
      checkEncoderProbe(kb.manifest, await encoderProbe(model.rag), model.given);
      return await fn({ kb, model, retriever: new QuestionRetriever(model.rag, kb) });
    } finally {
      await model.rag.dispose();
    }
  } finally {
    await kb.close();
  }
}

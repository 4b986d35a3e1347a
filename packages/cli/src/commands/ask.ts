import type { RagRetrieval } from '@rag-web/models';
import { flag, stringList, type ParsedValues } from '../cli-options.js';
import { JSON_OPTION, excerpt, numbers, out, type Command } from '../command.js';
import { GENERATION_OPTIONS, generationFlags, generationRequest } from '../generation-options.js';
import { SEARCH_INDEX_OPTION } from '../kb-folder-files.js';
import { KB_NAME_OPTION, KB_OPTION } from '../knowledge-base-arg.js';
import { MODEL_OPTIONS, VARIANT_OPTION, describeModel, modelFlags } from '../model-folder.js';
import { withRagSession } from '../rag-session.js';

/** What `rag ask --json` prints per question: exactly these keys, camelCase of the transformers names. */
export interface AskRecord {
  question: string;
  questionInputIds: number[];
  questionPooled: number[];
  docIds: number[];
  docScores: number[];
  contextStrings: string[];
  contextInputIds: number[][];
  sequences: number[][];
  texts: string[];
}

export const askCommand: Command = {
  spec: {
    name: 'ask',
    brief: 'answer questions from retrieved passages',
    summary: 'Answer questions: encode each question, retrieve passages from the knowledge base, generate with RAG-Token or RAG-Sequence.',
    usage: 'rag ask [--model DIR --kb KB_DIR] --question TEXT [--question TEXT ...] [options]',
    options: [
      ...MODEL_OPTIONS,
      KB_OPTION,
      KB_NAME_OPTION,
      { name: 'question', value: 'TEXT', multiple: true, required: true, description: 'a question to answer' },
      VARIANT_OPTION,
      ...GENERATION_OPTIONS,
      SEARCH_INDEX_OPTION,
      JSON_OPTION,
    ],
    notes: [
      'Output: per question, the answer(s) and the retrieved passages with their titles and doc scores.',
      '--json: one JSON object per question and line, with exactly the keys question, questionInputIds,',
      'questionPooled, docIds, docScores, contextStrings, contextInputIds, sequences (generated ids, one',
      'array per returned sequence, as generate returns them) and texts (batch_decode, special tokens',
      'skipped). Each question is encoded, retrieved and generated on its own (batch 1).',
    ],
  },

  async run(values: ParsedValues): Promise<void> {
    const questions = stringList(values, 'question');
    const modelArgs = modelFlags(values);
    const generation = generationFlags(values, modelArgs.isDefault);
    const json = flag(values, 'json');
    await withRagSession(values, modelArgs, async ({ model, retriever }) => {
      const { nDocs, args } = generationRequest(generation, model);
      await retriever.checkNDocs(nDocs);
      if (!json) out(`${describeModel(model)}\n`);
      for (const question of questions) {
        const r = await retriever.retrieve(question, nDocs);
        const sequences = await model.generator.generate({
          ...args,
          contextInputIds: r.contextInputIds,
          contextAttentionMask: r.contextAttentionMask,
          docScores: r.docScores,
        });
        const texts = model.rag.components.tokenizer.batchDecode(sequences, { skipSpecialTokens: true });
        if (json) out(JSON.stringify(askRecord(question, r, sequences, texts)));
        else printAnswer(question, r, texts);
      }
    });
  },
};

/** One question's record; `r` is its batch-1 retrieval. */
export function askRecord(question: string, r: RagRetrieval, sequences: number[][], texts: string[]): AskRecord {
  return {
    question,
    questionInputIds: r.questionInputIds[0]!,
    questionPooled: numbers(r.questionPooled),
    docIds: r.retrievedDocIds[0]!,
    docScores: numbers(r.docScores),
    contextStrings: r.contextStrings,
    contextInputIds: r.contextInputIds,
    sequences,
    texts,
  };
}

function printAnswer(question: string, r: RagRetrieval, texts: string[]): void {
  const docs = r.docDicts[0]!;
  out(`Q: ${question}`);
  texts.forEach((t, i) => out(`${texts.length > 1 ? `A${i + 1}` : 'A'}: ${t}`));
  out(`Retrieved (${docs.length} docs):`);
  docs.forEach((doc, i) => {
    out(`  ${i + 1}. [doc ${doc.id}] score ${r.docScores[i]!.toFixed(4)}  ${doc.title}`);
    out(`     ${excerpt(doc.text)}`);
  });
  out();
}

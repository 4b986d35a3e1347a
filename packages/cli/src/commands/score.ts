import type { RagRetrieval } from '@rag-web/models';
import { flag, intValue, numberValue, stringList, type ParsedValues } from '../cli-options.js';
import { JSON_OPTION, numbers, out, type Command } from '../command.js';
import { UsageError } from '../errors.js';
import { N_DOCS_OPTION } from '../generation-options.js';
import { SEARCH_INDEX_OPTION } from '../kb-folder-files.js';
import { KB_NAME_OPTION, KB_OPTION } from '../knowledge-base-arg.js';
import { MODEL_OPTIONS, VARIANT_OPTION, describeModel, modelFlags, type LoadedModel } from '../model-folder.js';
import { withRagSession } from '../rag-session.js';

/** What `rag score --json` prints per (question, answer) pair. */
export interface ScoreRecord {
  question: string;
  answer: string;
  rag: 'token' | 'sequence';
  /** `forward(labels=…).loss` of this pair (batch 1: one value, reduced or not). */
  loss: number;
  /** Generator tokenizer ids of the answer, `<s> … </s>`. */
  labels: number[];
  docIds: number[];
  docScores: number[];
  /** RAG-Token only: marginalized log-probabilities (vocab) at the last position. */
  marginalizedLogitsLast?: number[];
}

export const scoreCommand: Command = {
  spec: {
    name: 'score',
    brief: 'the RAG loss of an answer given its question',
    summary: 'Score answers: the RAG loss (negative log-likelihood) of an answer given its question, as forward(labels=...) computes it.',
    usage: 'rag score [--model DIR --kb KB_DIR] --question TEXT --answer TEXT [--question TEXT --answer TEXT ...] [options]',
    options: [
      ...MODEL_OPTIONS,
      KB_OPTION,
      KB_NAME_OPTION,
      { name: 'question', value: 'TEXT', multiple: true, required: true, description: 'a question; the n-th --answer is scored against the n-th --question' },
      { name: 'answer', value: 'TEXT', multiple: true, required: true, description: 'the answer to score (tokenized with the generator tokenizer: <s> … </s>)' },
      VARIANT_OPTION,
      N_DOCS_OPTION,
      { name: 'reduce-loss', description: 'sum the loss over the batch (reduce_loss=True)', default: 'reduce_loss of config.json (false)' },
      { name: 'exclude-bos-score', description: 'RAG-Sequence: leave the BOS token out of the score', default: 'exclude_bos_score of config.json (false)' },
      { name: 'label-smoothing', value: 'EPS', description: 'label smoothing epsilon in [0, 1]', default: 'label_smoothing of config.json (0)' },
      SEARCH_INDEX_OPTION,
      JSON_OPTION,
    ],
    notes: [
      '--json: one JSON object per pair and line: question, answer, rag, loss, labels, docIds, docScores and,',
      'for RAG-Token, marginalizedLogitsLast (the marginalized log-probabilities of the last position,',
      'forward(do_marginalize=True) with the labels as decoder inputs).',
    ],
  },

  async run(values: ParsedValues): Promise<void> {
    const questions = stringList(values, 'question');
    const answers = stringList(values, 'answer');
    if (questions.length !== answers.length) {
      throw new UsageError(`give one --answer per --question (got ${questions.length} questions and ${answers.length} answers)`);
    }
    const loss: LossFlags = {
      reduceLoss: flag(values, 'reduce-loss'),
      excludeBosScore: flag(values, 'exclude-bos-score'),
      labelSmoothing: numberValue(values, 'label-smoothing', 0, 1),
    };
    const nDocsFlag = intValue(values, 'n-docs', 1);
    const modelArgs = modelFlags(values);
    const json = flag(values, 'json');
    await withRagSession(values, modelArgs, async ({ model, retriever }) => {
      if (loss.excludeBosScore && model.variant !== 'sequence') {
        throw new UsageError('--exclude-bos-score applies to --rag sequence only (RAG-Token has no such option)');
      }
      const nDocs = nDocsFlag ?? model.rag.config.nDocs;
      await retriever.checkNDocs(nDocs);
      const { config } = model.rag.components;
      if (!json) out(`${describeModel(model)}\n`);
      for (const [i, question] of questions.entries()) {
        const record = await scorePair(model, question, await retriever.retrieve(question, nDocs), answers[i]!, loss);
        if (json) {
          out(JSON.stringify(record));
        } else {
          const settings = `reduce_loss=${loss.reduceLoss || config.reduceLoss}, label_smoothing=${loss.labelSmoothing ?? config.labelSmoothing}`;
          out(`Q: ${question}`);
          out(`answer: ${record.answer} (${record.labels.length} tokens)`);
          out(`loss: ${record.loss.toFixed(6)} (RAG-${record.rag === 'token' ? 'Token' : 'Sequence'} NLL over ${nDocs} docs, ${settings})`);
          out();
        }
      }
    });
  },
};

/** The loss flags; unset ones fall back to config.json in `forward`. */
interface LossFlags {
  reduceLoss: boolean;
  excludeBosScore: boolean;
  labelSmoothing: number | undefined;
}

/** `forward(labels=answer ids)` on the retrieved contexts; RAG-Token also marginalizes (do_marginalize). */
async function scorePair(model: LoadedModel, question: string, r: RagRetrieval, answer: string, loss: LossFlags): Promise<ScoreRecord> {
  const labels = model.rag.components.tokenizer.generator.encode(answer);
  const token = model.variant === 'token';
  const output = await model.generator.forward({
    contextInputIds: r.contextInputIds,
    contextAttentionMask: r.contextAttentionMask,
    docScores: r.docScores,
    nDocs: r.nDocs,
    labels: [labels],
    ...(loss.reduceLoss ? { reduceLoss: true } : {}),
    ...(loss.excludeBosScore ? { excludeBosScore: true } : {}),
    ...(loss.labelSmoothing !== undefined ? { labelSmoothing: loss.labelSmoothing } : {}),
    ...(token ? { doMarginalize: true } : {}),
  });
  const record: ScoreRecord = {
    question,
    answer,
    rag: model.variant,
    loss: output.loss!.data[0]!,
    labels,
    docIds: r.retrievedDocIds[0]!,
    docScores: numbers(r.docScores),
  };
  if (token) {
    // (1 × T × V) marginalized log-probabilities; the last position's row.
    const vocab = output.logits.dims[2]!;
    record.marginalizedLogitsLast = numbers(output.logits.data.subarray((labels.length - 1) * vocab, labels.length * vocab));
  }
  return record;
}

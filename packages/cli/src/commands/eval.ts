import { flag, intValue, requiredString, type ParsedValues } from '../cli-options.js';
import { JSON_OPTION, out, type Command } from '../command.js';
import { GENERATION_OPTIONS, generationFlags, generationRequest } from '../generation-options.js';
import { readQaFile } from '../input-files.js';
import { SEARCH_INDEX_OPTION } from '../kb-folder-files.js';
import { KB_NAME_OPTION, KB_OPTION } from '../knowledge-base-arg.js';
import { MODEL_OPTIONS, VARIANT_OPTION, describeModel, modelFlags } from '../model-folder.js';
import { ProgressBar } from '../progress-bar.js';
import { withRagSession } from '../rag-session.js';
import { exactMatch, passageHasAnswer } from '../squad.js';

/** What `rag eval --json` prints. */
export interface EvalReport {
  questions: number;
  k: number;
  /** Fraction of questions with an answer in one of the top k passages. */
  recallAtK: number;
  /** Fraction of questions whose first generated answer equals a gold answer (SQuAD-normalized). */
  exactMatch: number;
  retrievalHits: number;
  exactMatches: number;
  rag: 'token' | 'sequence';
  nDocs: number;
  decoding: 'free' | 'copy';
}

export const evalCommand: Command = {
  spec: {
    name: 'eval',
    brief: 'retrieval recall@k and exact match on a questions file',
    summary: 'Evaluate on a {question, answers} JSONL file: retrieval recall@k and exact match of the generated answers.',
    usage: 'rag eval [--model DIR --kb KB_DIR] --qa FILE.jsonl [--k 5] [options]',
    options: [
      ...MODEL_OPTIONS,
      KB_OPTION,
      KB_NAME_OPTION,
      { name: 'qa', value: 'FILE.jsonl', required: true, description: 'one {"question": …, "answers": [ … ]} object per line' },
      { name: 'k', value: 'K', description: 'passages searched for an answer string (recall@k)', default: '5' },
      { name: 'limit', value: 'N', description: 'evaluate only the first N questions', default: 'all' },
      VARIANT_OPTION,
      ...GENERATION_OPTIONS,
      SEARCH_INDEX_OPTION,
      JSON_OPTION,
    ],
    notes: [
      'recall@k: an answer, SQuAD-normalized, occurs as whole words in the normalized title and text of one',
      'of the top k passages. Exact match: the first generated answer equals one of the answers after',
      'SQuAD normalization (lower case; punctuation, articles a/an/the and extra whitespace removed).',
      'Progress goes to stderr. --json: one object {questions, k, recallAtK, exactMatch, retrievalHits,',
      'exactMatches, rag, nDocs}.',
    ],
  },

  async run(values: ParsedValues): Promise<void> {
    const k = intValue(values, 'k', 1) ?? 5;
    const limit = intValue(values, 'limit', 1);
    const modelArgs = modelFlags(values);
    const generation = generationFlags(values, modelArgs.isDefault);
    const pairs = (await readQaFile(requiredString(values, 'qa'))).slice(0, limit);
    const json = flag(values, 'json');
    await withRagSession(values, modelArgs, async ({ model, retriever }) => {
      const { nDocs, args } = generationRequest(generation, model);
      await retriever.checkNDocs(Math.max(nDocs, k));
      const bar = new ProgressBar('evaluating', pairs.length);
      let hits = 0;
      let matches = 0;
      for (const [i, { question, answers }] of pairs.entries()) {
        const r = await retriever.retrieve(question, nDocs);
        const top = k === nDocs ? r.docDicts[0]! : await retriever.topPassages(r.questionPooled, k);
        if (top.some((p) => passageHasAnswer(p, answers))) hits++;
        const sequences = await model.generator.generate({
          ...args,
          contextInputIds: r.contextInputIds,
          contextAttentionMask: r.contextAttentionMask,
          docScores: r.docScores,
        });
        const [prediction = ''] = model.rag.components.tokenizer.batchDecode(sequences.slice(0, 1), { skipSpecialTokens: true });
        matches += exactMatch(prediction, answers);
        bar.update(i + 1);
      }
      bar.finish();
      const n = pairs.length;
      const report: EvalReport = { questions: n, k, recallAtK: hits / n, exactMatch: matches / n, retrievalHits: hits, exactMatches: matches, rag: model.variant, nDocs, decoding: args.copyFromContexts ? 'copy' : 'free' };
      if (json) {
        out(JSON.stringify(report));
      } else {
        out(describeModel(model));
        out(`${'questions'.padEnd(14)}${n}`);
        out(`${`recall@${k}`.padEnd(14)}${report.recallAtK.toFixed(4)} (${hits}/${n})`);
        out(`${'exact match'.padEnd(14)}${report.exactMatch.toFixed(4)} (${matches}/${n}, ${nDocs} docs, ${report.decoding} decoding)`);
      }
    });
  },
};

/**
 * The world-facts evaluation through the library API, as a page runs it: the shipped q8 model and
 * knowledge base, one question at a time (`RagModel.retrieve`, then RAG-Token `generate` on those
 * contexts, with copy decoding, the model's default), recall@5 of the gold passage and SQuAD exact
 * match, the same measures as tools/world_facts/evaluate.py and `rag eval`.
 */
import { RagTokenForGeneration, type DeviceType } from '../../packages/models/src/index.js';
import { RagRetriever } from '../../packages/core/src/index.js';
import { loadKnowledgeBase } from '../../packages/retriever/src/index.js';
import { exactMatch } from '../../packages/cli/src/squad.js';

export interface QaPair {
  question: string;
  answers: string[];
  docId: number;
  kind: string;
  relation: string;
}

export interface WorldFactsEval {
  device: string;
  requested: DeviceType;
  questions: number;
  recallAt5: number;
  exactMatch: number;
  decoding: 'copy';
  msPerQuestion: number;
  errors: Array<{ question: string; answers: string[]; prediction: string }>;
}

/** Every `step`-th pair, `n` of them: the fixed sample evaluate.py's RAG-Sequence check also uses. */
export function fixedSample<T>(pairs: T[], n: number): T[] {
  const step = Math.max(1, Math.floor(pairs.length / n));
  return pairs.filter((_, i) => i % step === 0).slice(0, n);
}

export async function evaluateWorldFacts(options: { device: DeviceType; pairs: QaPair[]; modelUrl: string; kbUrl: string; progress?: (line: string) => void }): Promise<WorldFactsEval> {
  const model = await RagTokenForGeneration.fromPretrained(options.modelUrl, { device: options.device, dtype: 'q8', cache: null });
  const kb = await loadKnowledgeBase(options.kbUrl);
  try {
    const { config, tokenizer } = model.rag.components;
    const retriever = new RagRetriever(kb, config, { questionEncoder: tokenizer.questionEncoder, generator: tokenizer.generator });
    let hits = 0;
    let matches = 0;
    const errors: WorldFactsEval['errors'] = [];
    const started = performance.now();
    for (const [i, pair] of options.pairs.entries()) {
      const top5 = await model.rag.retrieve([pair.question], { nDocs: 5, retriever });
      hits += top5.docDicts[0]!.some((d) => d.id === pair.docId) ? 1 : 0;
      const ids = await model.generate({ contextInputIds: top5.contextInputIds, contextAttentionMask: top5.contextAttentionMask, docScores: top5.docScores, nDocs: 5, copyFromContexts: true });
      const prediction = (tokenizer.batchDecode(ids.slice(0, 1), { skipSpecialTokens: true })[0] ?? '').trim();
      const ok = exactMatch(prediction, pair.answers);
      matches += ok;
      if (!ok && errors.length < 20) errors.push({ question: pair.question, answers: pair.answers, prediction });
      if ((i + 1) % 20 === 0) options.progress?.(`${model.rag.device}: ${i + 1}/${options.pairs.length} EM ${(matches / (i + 1)).toFixed(3)}`);
    }
    const n = options.pairs.length;
    return {
      device: model.rag.device,
      requested: options.device,
      questions: n,
      recallAt5: hits / n,
      exactMatch: matches / n,
      decoding: 'copy',
      msPerQuestion: (performance.now() - started) / n,
      errors,
    };
  } finally {
    await model.dispose();
    await kb.close();
  }
}

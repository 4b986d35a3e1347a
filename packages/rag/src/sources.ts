import type { DocDict } from '@rag-web/core';

/** A retrieved passage behind an answer: its doc score and that score's softmax over the retrieved set. */
export interface Source {
  id: number;
  title: string;
  text: string;
  /** The inner product of the question and passage embeddings (transformers' `doc_scores`). */
  score: number;
  /** p(z | x), the softmax of the doc scores over the retrieved passages: the weight RAG marginalizes with. */
  probability: number;
}

/** One question's retrieved passages (best first) with their doc scores and probabilities. */
export function sourcesOf(docDicts: readonly DocDict[], docScores: ArrayLike<number>): Source[] {
  let max = -Infinity;
  for (let i = 0; i < docDicts.length; i++) max = Math.max(max, docScores[i]!);
  const exp = docDicts.map((_, i) => Math.exp(docScores[i]! - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return docDicts.map((doc, i) => ({ id: doc.id, title: doc.title, text: doc.text, score: docScores[i]!, probability: exp[i]! / sum }));
}

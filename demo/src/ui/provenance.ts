import type { RetrievedPassage } from '../worker/engine.js';

/** Where an answer comes from: the most probable retrieved passage. */
export interface AnswerSource {
  docId: number;
  title: string;
  probability: number;
  /** The answer occurs in the passage's text (case and spacing aside). */
  containsAnswer: boolean;
}

/** `found: false`: the knowledge base does not hold the answer, and the generated text is only a guess. */
export interface Verdict {
  found: boolean;
  /** Undefined only when nothing was retrieved. */
  source: AnswerSource | undefined;
}

/**
 * Judges an answer by its provenance: found when the top passage's p(z | x) reaches
 * `notFoundBelow`. Without a threshold (one is measured per model, see default-model.ts) every
 * answer counts as found, since there is nothing to judge it by.
 */
export function judgeAnswer(answer: string, passages: readonly RetrievedPassage[], notFoundBelow: number | undefined): Verdict {
  const top = passages.reduce<RetrievedPassage | undefined>((best, p) => (best && best.probability >= p.probability ? best : p), undefined);
  if (!top) return { found: false, source: undefined };
  const needle = normalize(answer);
  const source = { docId: top.docId, title: top.title, probability: top.probability, containsAnswer: needle !== '' && normalize(top.text).includes(needle) };
  return { found: notFoundBelow === undefined || top.probability >= notFoundBelow, source };
}

function normalize(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

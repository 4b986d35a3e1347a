/**
 * The answer normalization of the SQuAD v1.1 evaluation script (also used by transformers' RAG
 * examples, `eval_rag.py`): lower case, punctuation removed, the articles a/an/the removed,
 * whitespace collapsed.
 */
const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

export function normalizeAnswer(text: string): string {
  const lower = text.toLowerCase();
  const noPunct = [...lower].filter((ch) => !PUNCTUATION.has(ch)).join('');
  const noArticles = noPunct.replace(/\b(a|an|the)\b/g, ' ');
  return noArticles.split(/\s+/).filter((w) => w.length > 0).join(' ');
}

/** 1 when the prediction equals one of the gold answers after normalization, else 0. */
export function exactMatch(prediction: string, answers: readonly string[]): number {
  const p = normalizeAnswer(prediction);
  return answers.some((a) => normalizeAnswer(a) === p) ? 1 : 0;
}

/**
 * Whether one of the answers occurs in the passage (title and text), both normalized, as whole
 * words: the "has answer" test behind retrieval recall@k. An answer that normalizes to nothing
 * never counts.
 */
export function passageHasAnswer(passage: { title: string; text: string }, answers: readonly string[]): boolean {
  const haystack = ` ${normalizeAnswer(`${passage.title} ${passage.text}`)} `;
  return answers.some((a) => {
    const needle = normalizeAnswer(a);
    return needle.length > 0 && haystack.includes(` ${needle} `);
  });
}

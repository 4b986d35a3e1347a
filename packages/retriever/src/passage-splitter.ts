export interface RawDocument {
  title: string;
  text: string;
}

export interface Passage {
  title: string;
  text: string;
}

/**
 * DPR-style chunking (as in transformers' `examples/research_projects/rag/use_own_knowledge_dataset.py`):
 * split on whitespace into runs of `wordsPerPassage` words, every passage keeping its document's title.
 */
export function splitIntoPassages(documents: RawDocument[], wordsPerPassage = 100): Passage[] {
  if (!Number.isInteger(wordsPerPassage) || wordsPerPassage <= 0) {
    throw new RangeError(`wordsPerPassage must be a positive integer, got ${wordsPerPassage}`);
  }
  const passages: Passage[] = [];
  for (const doc of documents) {
    const words = doc.text.split(/\s+/).filter((w) => w.length > 0);
    for (let i = 0; i < words.length; i += wordsPerPassage) {
      passages.push({ title: doc.title, text: words.slice(i, i + wordsPerPassage).join(' ') });
    }
  }
  return passages;
}

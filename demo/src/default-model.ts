import type { Decoding, DtypeChoice } from './worker/engine.js';

/** What the page loads and offers with no set-up: the model, its bundled knowledge base and what to ask it. */
export interface DefaultModel {
  /** A model folder (tools/export_rag.py layout); also the id its context encoder reports. */
  modelUrl: string;
  /** It ships fp32 and q8: `auto` loads fp32 on WebGPU (whose EP has no q8 MatMul kernels), q8 on WASM. */
  dtype: DtypeChoice;
  /** Its knowledge-base folder (demo/scripts/build-kb.mjs), seeded into IndexedDB when the model first loads. */
  knowledgeBase: { name: string; url: string };
  /** What it knows and does not know, shown under the question box. */
  description: string;
  /** Questions it answers, offered as buttons. */
  examples: readonly string[];
  /**
   * Below this probability of the top retrieved passage (p(z | x) over the model's n_docs) the
   * page says the answer is not in the knowledge base: measured on questions the knowledge base
   * cannot answer, so it holds for this model only.
   */
  notFoundBelow: number;
  /** How it answers by default: copy decoding (its answers are spans of the retrieved passages). */
  decoding: Decoding;
}

export const DEFAULT_MODEL: DefaultModel = {
  modelUrl: '/models/world-facts',
  dtype: 'auto',
  knowledgeBase: { name: 'world-facts', url: '/kb/world-facts/' },
  description:
    'This small model knows what its knowledge base states about 250 countries and territories (capital, region, languages, ' +
    'currency, calling code, area, demonym), the 118 chemical elements (symbol, atomic number, year of discovery, category, ' +
    'state at room temperature) and 2,500 large cities (country, population). It answers short factual questions whose answer ' +
    'is written in one passage; the page names that passage. It cannot answer open questions, explain, or reason over your own ' +
    'documents: passages you add are retrieved, but it only ever copies a short fact out of them.',
  examples: [
    'what is the capital of France?',
    'what is the currency of Japan?',
    'which country is Osaka in?',
    'what is the symbol of gold?',
    'when was Helium discovered?',
    'how many people live in Lagos?',
    'what language is spoken in Brazil?',
    'what is the calling code of Kenya?',
  ],
  // tools/train_default.py: the top doc probability that 98 % of the validation questions reach (fixtures/world-facts/hf/metrics.json).
  notFoundBelow: 0.5,
  // tools/train_default.py: free decoding garbles names it never trained on (test EM 0.745 → 0.830 with copy).
  decoding: 'copy',
};

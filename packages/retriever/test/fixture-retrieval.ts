// What RagRetriever needs of a fixture case, read from its committed model folder: the
// retrieval fields of config.json and the two tokenizers (for tests over any PassageSource).
import type { RagRetrieverConfig, RagRetrieverTokenizers } from '@rag-web/core';
import { readFixtureJson } from '../../../test/fixture-files.js';
import { HfTestTokenizer } from './hf-tokenizer.js';

function tokenizer(caseName: string, which: string): HfTestTokenizer {
  const dir = `${caseName}/model/${which}`;
  return new HfTestTokenizer(readFixtureJson(`${dir}/tokenizer.json`), readFixtureJson(`${dir}/tokenizer_config.json`));
}

export function fixtureTokenizers(caseName: string): RagRetrieverTokenizers {
  return { questionEncoder: tokenizer(caseName, 'question_encoder_tokenizer'), generator: tokenizer(caseName, 'generator_tokenizer') };
}

export function fixtureRagConfig(caseName: string): RagRetrieverConfig {
  const c = readFixtureJson<Record<string, unknown> & { generator: { prefix?: string | null } }>(`${caseName}/model/config.json`);
  return {
    titleSep: c.title_sep as string,
    docSep: c.doc_sep as string,
    nDocs: c.n_docs as number,
    maxCombinedLength: c.max_combined_length as number,
    retrievalBatchSize: c.retrieval_batch_size as number,
    retrievalVectorSize: c.retrieval_vector_size as number,
    generator: { prefix: c.generator.prefix ?? null },
  };
}

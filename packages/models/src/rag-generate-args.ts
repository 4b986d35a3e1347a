import { TOP_K_MAX_K, type GenerationConfig, type GenerationConfigFields } from '@rag-web/core';
import { InvalidInputError } from './errors.js';
import type { LogitsProcessor, PrefixAllowedTokensFn } from './generation/logits-processors.js';
import { buildLogitsProcessors } from './generation/logits-processor-list.js';
import type { RagContextArgs } from './rag-inputs.js';

/** `generate` keyword arguments of the RAG classes, camelCased (each overrides generation_config.json). */
export interface RagGenerateArgs extends RagContextArgs, Partial<GenerationConfigFields> {
  prefixAllowedTokensFn?: PrefixAllowedTokensFn;
  /** Extra processors; one of a built-in class replaces that one (transformers' merge rule). */
  logitsProcessor?: LogitsProcessor[];
  signal?: AbortSignal;
}

export function generationSettings(base: GenerationConfig, args: RagGenerateArgs): { generation: GenerationConfig; processors: LogitsProcessor } {
  const { maxLength, minLength, numBeams, numReturnSequences, noRepeatNgramSize, lengthPenalty, earlyStopping } = args;
  const { bosTokenId, eosTokenId, padTokenId, decoderStartTokenId, forcedBosTokenId, forcedEosTokenId, badWordsIds, useCache } = args;
  const generation = base.with({
    maxLength,
    minLength,
    numBeams,
    numReturnSequences,
    noRepeatNgramSize,
    lengthPenalty,
    earlyStopping,
    bosTokenId,
    eosTokenId,
    padTokenId,
    decoderStartTokenId,
    forcedBosTokenId,
    forcedEosTokenId,
    badWordsIds,
    useCache,
  });
  // Each beam step ranks 2·numBeams candidates per row (transformers' top-k) in one top-k pass.
  if (generation.numBeams * 2 > TOP_K_MAX_K) {
    throw new InvalidInputError(`numBeams = ${generation.numBeams}: at most ${TOP_K_MAX_K / 2} beams (each step ranks 2·numBeams candidates, with a top-k of at most ${TOP_K_MAX_K})`, {
      numBeams: generation.numBeams,
      max: TOP_K_MAX_K / 2,
    });
  }
  const processors = buildLogitsProcessors(generation, {
    ...(args.prefixAllowedTokensFn ? { prefixAllowedTokensFn: args.prefixAllowedTokensFn } : {}),
    ...(args.logitsProcessor ? { logitsProcessor: args.logitsProcessor } : {}),
  });
  return { generation, processors };
}

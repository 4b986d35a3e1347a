import type { GenerationConfig, GenerationConfigFields } from '@rag-web/core';
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
  const processors = buildLogitsProcessors(generation, {
    ...(args.prefixAllowedTokensFn ? { prefixAllowedTokensFn: args.prefixAllowedTokensFn } : {}),
    ...(args.logitsProcessor ? { logitsProcessor: args.logitsProcessor } : {}),
  });
  return { generation, processors };
}

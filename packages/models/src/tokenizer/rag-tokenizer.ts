import type { RagConfig } from '@rag-web/core';
import { InvalidInputError, TokenizerMismatchError } from '../errors.js';
import { HfTokenizer, type TokenizerFiles } from './hf-tokenizer.js';

/**
 * `transformers.RagTokenizer`: the question encoder's tokenizer for questions, the generator's
 * for contexts, labels and decoding.
 */
export class RagTokenizer {
  /**
   * The most tokens a question keeps: the question tokenizer's `model_max_length`, capped by the
   * question encoder's position table when the config is known. Longer questions are truncated, as
   * `tokenizer(question, truncation=True)` does; untruncated, DPR would index past its positions.
   */
  readonly maxQuestionLength: number | undefined;

  constructor(
    readonly questionEncoder: HfTokenizer,
    readonly generator: HfTokenizer,
    maxPositions?: number,
  ) {
    const limits = [questionEncoder.modelMaxLength, maxPositions].filter((n): n is number => n !== undefined);
    this.maxQuestionLength = limits.length > 0 ? Math.min(...limits) : undefined;
  }

  static fromFiles(files: { questionEncoder: TokenizerFiles; generator: TokenizerFiles }, config?: RagConfig): RagTokenizer {
    const tokenizer = new RagTokenizer(
      new HfTokenizer(files.questionEncoder, 'question_encoder_tokenizer'),
      new HfTokenizer(files.generator, 'generator_tokenizer'),
      config?.questionEncoder.maxPositionEmbeddings,
    );
    if (config) tokenizer.checkAgainst(config);
    return tokenizer;
  }

  /** Throws TokenizerMismatchError when a tokenizer could emit ids outside its model's embedding table. */
  checkAgainst(config: RagConfig): void {
    const pairs = [
      ['question_encoder', this.questionEncoder.vocabSize, config.questionEncoder.vocabSize],
      ['generator', this.generator.vocabSize, config.generator.vocabSize],
    ] as const;
    for (const [name, tokenizerVocab, modelVocab] of pairs) {
      if (tokenizerVocab > modelVocab) {
        throw new TokenizerMismatchError(
          `${name}_tokenizer has ${tokenizerVocab} tokens but the ${name} config's vocab_size is ${modelVocab}: they do not belong together`,
          { tokenizerVocab, modelVocab },
        );
      }
    }
    if (this.generator.padTokenId !== config.generator.padTokenId) {
      throw new TokenizerMismatchError(
        `generator_tokenizer pads with id ${this.generator.padTokenId} but the generator config's pad_token_id is ${config.generator.padTokenId}`,
      );
    }
  }

  /** `RagTokenizer.__call__(questions, truncation=True)`: question-encoder ids, padded to the longest. */
  encodeQuestions(questions: string[]): { inputIds: number[][]; attentionMask: number[][] } {
    if (questions.length === 0) throw new InvalidInputError('no questions given');
    const empty = questions.findIndex((q) => q.trim() === '');
    if (empty >= 0) throw new InvalidInputError(`question ${empty} is empty: there is nothing to retrieve or answer`);
    return this.questionEncoder.encodeBatch(questions, { padding: 'longest', ...(this.maxQuestionLength !== undefined ? { maxLength: this.maxQuestionLength } : {}) });
  }

  /** `RagTokenizer.batch_decode`: decoding goes through the generator tokenizer. */
  batchDecode(ids: number[][], options: { skipSpecialTokens?: boolean } = {}): string[] {
    return this.generator.batchDecode(ids, options);
  }
}

import type { RetrievAugLMMarginOutput, Retriever } from '@rag-web/core';
import { decode } from './decoding/decode-loop.js';
import { forwardWithLabels, type RagLabelsArgs } from './rag-forward.js';
import { generationSettings, type RagGenerateArgs } from './rag-generate-args.js';
import { resolveContexts } from './rag-inputs.js';
import { RagModel, type RagFromPretrainedOptions } from './rag-model.js';

export interface RagTokenGenerateArgs extends RagGenerateArgs {
  /** Greedy decoding only: called once per step with the token each batch row just produced. */
  onTokens?: (tokens: number[]) => void;
}

/**
 * `transformers.RagTokenForGeneration`: the generator's next-token distribution is marginalized
 * over the retrieved documents at every step (RAG-Token).
 */
export class RagTokenForGeneration {
  constructor(readonly rag: RagModel) {}

  static async fromPretrained(model: string | { files: Record<string, Uint8Array> }, options: RagFromPretrainedOptions = {}): Promise<RagTokenForGeneration> {
    return new RagTokenForGeneration(await RagModel.fromPretrained(model, options));
  }

  get config() {
    return this.rag.config;
  }

  set retriever(retriever: Retriever | undefined) {
    this.rag.retriever = retriever;
  }

  /** `forward(labels=…, do_marginalize=…, reduce_loss=…)`: RAG-Token NLL and (marginalized) logits. */
  forward(args: RagLabelsArgs): Promise<RetrievAugLMMarginOutput> {
    return forwardWithLabels(this.rag, 'token', args);
  }

  /**
   * `generate`: retrieval (or the given contexts), then greedy or beam search over the
   * marginalized log-probabilities. Returns (batch·numReturnSequences) id rows, decoder start
   * token first, padded to one length, as transformers does.
   */
  generate(args: RagTokenGenerateArgs): Promise<number[][]> {
    return this.rag.guard(() => this.generateOnce(args));
  }

  private async generateOnce(args: RagTokenGenerateArgs): Promise<number[][]> {
    const { config, questionEncoder, generator, generationConfig } = this.rag.components;
    const contexts = await resolveContexts(args, config, questionEncoder, this.rag.retriever);
    const { generation, processors } = generationSettings(generationConfig, args);
    const encoderHidden = await generator.encode(contexts.contextInputIds, contexts.contextAttentionMask);
    try {
      return await decode({
        generator,
        math: this.rag.math,
        encoderHidden,
        encoderMask: contexts.contextAttentionMask,
        batch: contexts.batch,
        nDocs: contexts.nDocs,
        docScores: contexts.docScores,
        generation,
        processors,
        ...(args.onTokens ? { onTokens: args.onTokens } : {}),
        ...(args.signal ? { signal: args.signal } : {}),
      });
    } finally {
      encoderHidden.dispose();
    }
  }

  dispose(): Promise<void> {
    return this.rag.dispose();
  }
}

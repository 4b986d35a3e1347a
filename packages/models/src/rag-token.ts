import type { RetrievAugLMMarginOutput, Retriever } from '@rag-web/core';
import { decode } from './decoding/decode-loop.js';
import { forwardWithLabels, type RagLabelsArgs } from './rag-forward.js';
import { checkGenerateArgs, generationSettings, RAG_GENERATE_ARG_KEYS, withCopyConstraint, type RagGenerateArgs } from './rag-generate-args.js';
import { resolveContexts } from './rag-inputs.js';
import { callSignal } from './device-fallback.js';
import type { OptionKeys } from './option-keys.js';
import { guarded, RagModel, type RagBackend, type RagFromPretrainedOptions } from './rag-model.js';

export interface RagTokenGenerateArgs extends RagGenerateArgs {
  /** Greedy decoding only: called once per step with the token each batch row just produced. */
  onTokens?: (tokens: number[]) => void;
  /**
   * Called after every step with each question's best hypothesis so far (decoder start first):
   * greedy, its sequence; beam search, its best finished or live beam. For streaming text.
   */
  onBestSequences?: (sequences: number[][]) => void;
}

const TOKEN_GENERATE_ARG_KEYS: OptionKeys<RagTokenGenerateArgs> = { ...RAG_GENERATE_ARG_KEYS, onTokens: true, onBestSequences: true };

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
    return guarded(this.rag, (backend) => forwardWithLabels(this.rag, 'token', args, backend));
  }

  /**
   * `generate`: retrieval (or the given contexts), then greedy or beam search over the
   * marginalized log-probabilities. Returns (batch·numReturnSequences) id rows, decoder start
   * token first, padded to one length, as transformers does. An unknown or sampling argument is an
   * UnknownOptionError / UnsupportedOptionError.
   */
  async generate(args: RagTokenGenerateArgs): Promise<number[][]> {
    checkGenerateArgs('RagTokenForGeneration.generate', args, TOKEN_GENERATE_ARG_KEYS);
    return guarded(this.rag, (backend, lost) => this.generateOn(backend, args, callSignal(lost, args.signal)));
  }

  /** The body of `generate` on one backend, from start to end (a lost device reruns it on WASM). */
  private async generateOn(backend: RagBackend, args: RagTokenGenerateArgs, signal: AbortSignal): Promise<number[][]> {
    const { config, questionEncoder, generator, generationConfig } = backend.components;
    const contexts = await resolveContexts(args, config, questionEncoder, this.rag.retriever);
    const perQuestion = Array.from({ length: contexts.batch }, (_, b) => contexts.contextInputIds.slice(b * contexts.nDocs, (b + 1) * contexts.nDocs));
    const { generation, processors } = generationSettings(generationConfig, withCopyConstraint(args, generationConfig, backend.components.tokenizer, perQuestion));
    const encoderHidden = await generator.encode(contexts.contextInputIds, contexts.contextAttentionMask);
    try {
      return await decode({
        generator,
        math: backend.math,
        encoderHidden,
        encoderMask: contexts.contextAttentionMask,
        batch: contexts.batch,
        nDocs: contexts.nDocs,
        docScores: contexts.docScores,
        generation,
        processors,
        ...(args.onTokens ? { onTokens: args.onTokens } : {}),
        ...(args.onBestSequences ? { onBestSequences: args.onBestSequences } : {}),
        signal,
      });
    } finally {
      encoderHidden.dispose();
    }
  }

  dispose(): Promise<void> {
    return this.rag.dispose();
  }
}

import { GENERATION_CONFIG_DEFAULTS, type GenerationConfig, type RetrievAugLMMarginOutput, type Retriever } from '@rag-web/core';
import type { Tensor } from 'onnxruntime-web';
import { decode } from './decoding/decode-loop.js';
import { forwardWithLabels, lossWithLabels, type RagLabelsArgs } from './rag-forward.js';
import { checkGenerateArgs, generationSettings, RAG_GENERATE_ARG_KEYS, withCopyConstraint, type RagGenerateArgs } from './rag-generate-args.js';
import { resolveContexts, type RagContexts } from './rag-inputs.js';
import { callSignal } from './device-fallback.js';
import type { OptionKeys } from './option-keys.js';
import { guarded, RagModel, type RagBackend, type RagFromPretrainedOptions } from './rag-model.js';

export interface RagSequenceGenerateArgs extends RagGenerateArgs {
  /** Drop identical candidates before rescoring (config.do_deduplication). */
  doDeduplication?: boolean;
}

const SEQUENCE_GENERATE_ARG_KEYS: OptionKeys<RagSequenceGenerateArgs> = { ...RAG_GENERATE_ARG_KEYS, doDeduplication: true };

/**
 * `transformers.RagSequenceForGeneration`: one latent document for the whole answer. `generate`
 * is "thorough decoding": beam search per document, deduplication, then every candidate rescored
 * against all documents with the RAG-Sequence loss.
 */
export class RagSequenceForGeneration {
  /**
   * Bytes of generator logits one rescoring pass may hold. transformers scores every candidate
   * under every document in one batch: at BART-large, 20 candidates × 5 documents × 21 positions ×
   * 50265 × 4 B = 422 MB of logits (held by the runtime and, off the GPU, once more in JS) for a
   * loss of 20 numbers. Each candidate's loss depends on its own rows only, so scoring them in
   * chunks gives the same losses with a bounded peak, for one more read of the decoder weights per
   * chunk. At least one candidate per pass, whatever the bound.
   */
  rescoreLogitsBytes = 96 * 2 ** 20;

  constructor(readonly rag: RagModel) {}

  static async fromPretrained(model: string | { files: Record<string, Uint8Array> }, options: RagFromPretrainedOptions = {}): Promise<RagSequenceForGeneration> {
    return new RagSequenceForGeneration(await RagModel.fromPretrained(model, options));
  }

  get config() {
    return this.rag.config;
  }

  set retriever(retriever: Retriever | undefined) {
    this.rag.retriever = retriever;
  }

  /** `forward(labels=…, exclude_bos_score=…, reduce_loss=…)`: the RAG-Sequence NLL. */
  forward(args: RagLabelsArgs): Promise<RetrievAugLMMarginOutput> {
    return guarded(this.rag, (backend) => forwardWithLabels(this.rag, 'sequence', args, backend));
  }

  /**
   * The whole of thorough decoding is one guarded call: a device lost anywhere in it reruns it on
   * WASM. An unknown or sampling argument is an UnknownOptionError / UnsupportedOptionError.
   */
  async generate(args: RagSequenceGenerateArgs): Promise<number[][]> {
    checkGenerateArgs('RagSequenceForGeneration.generate', args, SEQUENCE_GENERATE_ARG_KEYS);
    return guarded(this.rag, (backend, lost) => this.generateOn(backend, args, callSignal(lost, args.signal)));
  }

  private async generateOn(backend: RagBackend, args: RagSequenceGenerateArgs, signal: AbortSignal): Promise<number[][]> {
    const { config, questionEncoder, generator, generationConfig } = backend.components;
    const contexts = await resolveContexts(args, config, questionEncoder, this.rag.retriever);
    const { nDocs } = contexts;
    const numReturn = args.numReturnSequences ?? generationConfig.numReturnSequences;
    // The per-document generator returns all its beams (transformers sets num_return_sequences = num_beams).
    const perDocument = { ...args, numReturnSequences: args.numBeams ?? generationConfig.numBeams, ...defaultLength(args, generationConfig) };
    const { generation } = generationSettings(generationConfig, perDocument);
    const dedup = args.doDeduplication ?? config.doDeduplication;
    const pad = config.generator.padTokenId ?? 1;
    const hypos: number[][][] = [];
    for (let index = 0; index < contexts.batch; index++) {
      const ids = contexts.contextInputIds.slice(index * nDocs, (index + 1) * nDocs);
      const mask = contexts.contextAttentionMask.slice(index * nDocs, (index + 1) * nDocs);
      // Copy decoding: each document's beams copy from that document (its own generator batch item).
      const { processors } = generationSettings(generationConfig, withCopyConstraint(perDocument, generationConfig, backend.components.tokenizer, ids.map((row) => [row])));
      const hidden = await generator.encode(ids, mask);
      let loss: Float32Array;
      let candidates: number[][];
      try {
        // Each document is its own batch item of a plain generator run.
        candidates = await decode({
          generator,
          math: backend.math,
          encoderHidden: hidden,
          encoderMask: mask,
          batch: nDocs,
          nDocs: 1,
          generation,
          processors,
          signal,
        });
        if (dedup) candidates = [...new Map(candidates.map((c) => [c.join(','), c])).values()];
        loss = await rescore(backend, candidates, this.rescoreLogitsBytes, { ids, mask, scores: contexts.docScores.subarray(index * nDocs, (index + 1) * nDocs), hidden });
      } finally {
        hidden.dispose();
      }
      // (-loss).topk(numReturn): lowest loss first, ties to the lower index.
      const order = candidates.map((_, i) => i).sort((a, b) => loss[a]! - loss[b]! || a - b);
      hypos.push(order.slice(0, numReturn).map((i) => candidates[i]!));
    }
    const width = Math.max(...hypos.flat().map((h) => h.length));
    return hypos.flat().map((h) => [...h, ...new Array<number>(width - h.length).fill(pad)]);
  }

  dispose(): Promise<void> {
    return this.rag.dispose();
  }
}

/** One question's documents as the rescoring reads them: ids, mask, scores and encoder output. */
interface RescoredDocuments {
  ids: number[][];
  mask: number[][];
  scores: Float32Array;
  hidden: Tensor;
}

/**
 * The RAG-Sequence loss of every candidate under all the question's documents, in passes of at most
 * `logitsBytes` of logits, reusing the documents' encoder output instead of encoding them again:
 * read once by a decoder that shares cross-attention among rows, else gathered on the backend, one
 * block per candidate.
 */
async function rescore(backend: RagBackend, candidates: number[][], logitsBytes: number, docs: RescoredDocuments): Promise<Float32Array> {
  const { generator, config } = backend.components;
  const nDocs = docs.ids.length;
  const width = candidates[0]?.length ?? 0;
  const vocab = config.generator.vocabSize;
  const chunk = Math.max(1, Math.floor(logitsBytes / (nDocs * Math.max(width, 1) * vocab * 4)));
  const sameDocuments = generator.sharedCrossAttention;
  const loss = new Float32Array(candidates.length);
  for (let start = 0; start < candidates.length; start += chunk) {
    const labels = candidates.slice(start, start + chunk);
    const encoderOutputs = sameDocuments ? docs.hidden : await backend.math.gatherRows(docs.hidden, Uint32Array.from({ length: labels.length * nDocs }, (_, i) => i % nDocs));
    try {
      // One batch item per candidate, each over the same nDocs documents.
      const rescored: RagContexts = {
        batch: labels.length,
        nDocs,
        contextInputIds: labels.flatMap(() => docs.ids),
        contextAttentionMask: labels.flatMap(() => docs.mask),
        docScores: Float32Array.from(labels.flatMap(() => Array.from(docs.scores))),
      };
      loss.set(await lossWithLabels(backend, 'sequence', rescored, encoderOutputs, { labels, excludeBosScore: true, reduceLoss: false, sameDocuments }), start);
    } finally {
      if (encoderOutputs !== docs.hidden) encoderOutputs.dispose();
    }
  }
  return loss;
}

/**
 * transformers' per-document `generator.generate` takes a max_length left at the library default
 * (20, given by no one) as 20 new tokens after the decoder prompt (`_prepare_generated_length`);
 * RAG-Token's own loop does not, so only RAG-Sequence reads it so.
 */
function defaultLength(args: RagGenerateArgs, generationConfig: GenerationConfig): { maxNewTokens?: number } {
  const given = args.maxLength !== undefined || args.maxNewTokens !== undefined || generationConfig.maxNewTokens !== null;
  return given || generationConfig.maxLength !== GENERATION_CONFIG_DEFAULTS.maxLength ? {} : { maxNewTokens: GENERATION_CONFIG_DEFAULTS.maxLength };
}

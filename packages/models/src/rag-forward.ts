import type { RetrievAugLMMarginOutput } from '@rag-web/core';
import { InvalidInputError } from './errors.js';
import { leadingPositions, outputOf, type RagForwardArgs, type RagModel } from './rag-model.js';

/** `forward` arguments of the generation classes: RagModel's, with labels for the loss. */
export interface RagLabelsArgs extends Omit<RagForwardArgs, 'decoderInputIds'> {
  decoderInputIds?: number[][];
  /** (B × T) answer ids, padded with the generator's pad id. */
  labels?: number[][];
  reduceLoss?: boolean;
  /** Overrides config.label_smoothing. */
  labelSmoothing?: number;
  /** RAG-Token only: return marginalized log-probs (B × T × V) as `logits`. */
  doMarginalize?: boolean;
  /** RAG-Sequence only. */
  excludeBosScore?: boolean;
}

/**
 * The shared body of `RagTokenForGeneration.forward` and `RagSequenceForGeneration.forward`:
 * labels double as decoder inputs when none are given (as in transformers), the loss is the
 * variant's `get_nll` on the backend that holds the logits.
 */
export function forwardWithLabels(rag: RagModel, variant: 'token' | 'sequence', args: RagLabelsArgs): Promise<RetrievAugLMMarginOutput> {
  return rag.guard(() => forwardOnce(rag, variant, args));
}

async function forwardOnce(rag: RagModel, variant: 'token' | 'sequence', args: RagLabelsArgs): Promise<RetrievAugLMMarginOutput> {
  const decoderInputIds = args.decoderInputIds ?? args.labels;
  if (!decoderInputIds) throw new InvalidInputError('forward needs decoderInputIds or labels');
  const config = rag.config;
  const run = await rag.runGenerator({ ...args, decoderInputIds });
  try {
    const [rows, runLen = 0, vocab = 0] = run.logits.dims;
    const { seqLen } = run;
    const { batch, nDocs, docScores } = run.contexts;
    const shape = { batch, nDocs, seqLen: runLen, vocab };
    const pad = config.generator.padTokenId ?? 1;
    if (rows !== batch * nDocs) throw new InvalidInputError(`generator returned ${rows} rows for ${batch}×${nDocs} contexts`);
    let loss: Float32Array | undefined;
    if (args.labels) {
      // RAG-Token scores `labels`, RAG-Sequence the decoder inputs (the labels unless both are given).
      const target = variant === 'token' ? args.labels : decoderInputIds;
      if (target.length !== batch || target.some((row) => row.length !== seqLen)) {
        throw new InvalidInputError(`labels must be ${batch} rows of ${seqLen} ids (the decoder input length)`);
      }
      // Extra trailing positions (decoderLength) get pad targets: masked, the loss is unchanged.
      const padded = target.map((row) => [...row, ...new Array<number>(runLen - seqLen).fill(pad)]);
      loss = await rag.math.nll(variant, run.logits, docScores, Int32Array.from(padded.flat()), shape, {
        padTokenId: pad,
        epsilon: args.labelSmoothing ?? config.labelSmoothing,
        reduceLoss: args.reduceLoss ?? config.reduceLoss,
        excludeBosScore: args.excludeBosScore ?? config.excludeBosScore,
        // Python's `config.bos_token_id or config.generator.bos_token_id`: a 0 falls through.
        bosTokenId: config.bosTokenId || config.generator.bosTokenId,
      });
    }
    const marginal =
      variant === 'token' && (args.doMarginalize ?? config.doMarginalize)
        ? leadingPositions(await rag.math.marginalize(run.logits, docScores, shape), batch, runLen, seqLen, vocab)
        : undefined;
    const out: RetrievAugLMMarginOutput = await outputOf(
      run,
      args.outputRetrieved ?? config.outputRetrieved,
      marginal ? { data: marginal, dims: [batch, seqLen, vocab] } : undefined,
    );
    if (loss) out.loss = { data: loss, dims: [loss.length] };
    return out;
  } finally {
    run.logits.dispose();
  }
}

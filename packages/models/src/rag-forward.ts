import type { RagNllShape, RetrievAugLMMarginOutput } from '@rag-web/core';
import { InvalidInputError } from './errors.js';
import { leadingPositions, outputOf, type GeneratorRun, type RagForwardArgs, type RagModel } from './rag-model.js';

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

/**
 * Only the loss of `forward(labels=…)`: the logits stay where the generator left them (on the
 * GPU on WebGPU), as RAG-Sequence's rescoring of candidates needs nothing else.
 */
export function lossWithLabels(rag: RagModel, variant: 'token' | 'sequence', args: RagLabelsArgs & { labels: number[][] }): Promise<Float32Array> {
  return rag.guard(async () => {
    const run = await generatorRun(rag, args);
    try {
      return await lossOf(rag, variant, run, args);
    } finally {
      run.logits.dispose();
    }
  });
}

function generatorRun(rag: RagModel, args: RagLabelsArgs): Promise<GeneratorRun> {
  const decoderInputIds = args.decoderInputIds ?? args.labels;
  if (!decoderInputIds) throw new InvalidInputError('forward needs decoderInputIds or labels');
  return rag.runGenerator({ ...args, decoderInputIds });
}

/** The `(B·n × T' × V)` logits' shape as the kernels take it (T' is the decoder length run). */
function lossShape(run: GeneratorRun): RagNllShape {
  const [rows, runLen = 0, vocab = 0] = run.logits.dims;
  const { batch, nDocs } = run.contexts;
  if (rows !== batch * nDocs) throw new InvalidInputError(`generator returned ${rows} rows for ${batch}×${nDocs} contexts`);
  return { batch, nDocs, seqLen: runLen, vocab };
}

async function lossOf(rag: RagModel, variant: 'token' | 'sequence', run: GeneratorRun, args: RagLabelsArgs & { labels: number[][] }): Promise<Float32Array> {
  const config = rag.config;
  const shape = lossShape(run);
  const { seqLen } = run;
  const pad = config.generator.padTokenId ?? 1;
  // RAG-Token scores `labels`, RAG-Sequence the decoder inputs (the labels unless both are given).
  const target = variant === 'token' ? args.labels : (args.decoderInputIds ?? args.labels);
  if (target.length !== shape.batch || target.some((row) => row.length !== seqLen)) {
    throw new InvalidInputError(`labels must be ${shape.batch} rows of ${seqLen} ids (the decoder input length)`);
  }
  // Extra trailing positions (decoderLength) get pad targets: masked, the loss is unchanged.
  const padded = target.map((row) => [...row, ...new Array<number>(shape.seqLen - seqLen).fill(pad)]);
  return rag.math.nll(variant, run.logits, run.contexts.docScores, Int32Array.from(padded.flat()), shape, {
    padTokenId: pad,
    epsilon: args.labelSmoothing ?? config.labelSmoothing,
    reduceLoss: args.reduceLoss ?? config.reduceLoss,
    excludeBosScore: args.excludeBosScore ?? config.excludeBosScore,
    // Python's `config.bos_token_id or config.generator.bos_token_id`: a 0 falls through.
    bosTokenId: config.bosTokenId || config.generator.bosTokenId,
  });
}

async function forwardOnce(rag: RagModel, variant: 'token' | 'sequence', args: RagLabelsArgs): Promise<RetrievAugLMMarginOutput> {
  const config = rag.config;
  const run = await generatorRun(rag, args);
  try {
    const shape = lossShape(run);
    const { seqLen } = run;
    const { batch, docScores } = run.contexts;
    const { seqLen: runLen, vocab } = shape;
    const loss = args.labels ? await lossOf(rag, variant, run, { ...args, labels: args.labels }) : undefined;
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

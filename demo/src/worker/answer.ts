import { RagSequenceForGeneration, type RagRetrieval, type RagTokenForGeneration } from '@rag-web/models';
import { sourcesOf } from '@rag-web/rag';
import { RagRetriever, type PassageSource } from '@rag-web/core';
import type { AskHooks, AskRequest, AskResult, RetrievedPassage } from './engine.js';
import { DemoInputError } from './errors.js';

/** AskHooks plus what only an in-process caller can take (a RagRetrieval is not posted to the page). */
export interface AnswerHooks extends AskHooks {
  /** Every retrieval intermediate (question ids, doc ids, context strings and ids, doc scores). */
  onRetrieval?: (retrieval: RagRetrieval) => void;
  /** The generated ids, as `generate` returns them. */
  onSequences?: (sequences: number[][]) => void;
}

/** The beam widths the page offers (index.html); more is refused, not queued. */
export const MAX_BEAMS = 8;

/**
 * One question, answered with provenance: retrieve from the passage source — a knowledge base in
 * IndexedDB or a retrieval server, one code path (`RagModel.retrieve`:
 * the question encoded, docs scored and contexts formatted as transformers' `RagModel` does),
 * show the passages, then generate from exactly those contexts. Passing the contexts (rather
 * than letting generate retrieve again) is what lets the page show the passages and their doc
 * scores.
 */
export async function answerQuestion(
  model: RagTokenForGeneration,
  source: PassageSource,
  request: AskRequest,
  hooks: AnswerHooks = {},
): Promise<Omit<AskResult, 'retrievedFrom'>> {
  const rag = model.rag;
  const question = request.question.trim();
  if (question === '') throw new DemoInputError('Type a question first.');
  const { numBeams, maxLength } = request;
  for (const [name, value] of Object.entries({ nDocs: request.nDocs, numBeams, maxLength })) {
    if (!Number.isInteger(value) || value < 1) throw new DemoInputError(`${name} must be a positive whole number, got ${value}.`, { [name]: value });
  }
  // The worker answers one question at a time: a huge beam would hold every later one for minutes.
  if (numBeams > MAX_BEAMS) throw new DemoInputError(`numBeams must be at most ${MAX_BEAMS} here, got ${numBeams}.`, { numBeams, max: MAX_BEAMS });

  const started = performance.now();
  // A small knowledge base (a few pasted documents) still answers, from all it holds.
  const nDocs = Math.min(request.nDocs, Math.max(await source.count(), 1));
  const { tokenizer, config } = rag.components;
  // The source is chosen per question, so the retriever is given per call.
  const retriever = new RagRetriever(source, config, { questionEncoder: tokenizer.questionEncoder, generator: tokenizer.generator });
  const retrieved = await rag.retrieve([question], { nDocs, retriever });
  hooks.onRetrieval?.(retrieved);
  const passages: RetrievedPassage[] = sourcesOf(retrieved.docDicts[0]!, retrieved.docScores).map(({ id, ...passage }) => ({ docId: id, ...passage }));
  hooks.onRetrieved?.(passages);
  const retrieveMs = performance.now() - started;

  const contexts = {
    contextInputIds: retrieved.contextInputIds,
    contextAttentionMask: retrieved.contextAttentionMask,
    docScores: retrieved.docScores,
    nDocs,
    numBeams,
    maxLength,
    copyFromContexts: request.decoding === 'copy',
    ...(hooks.signal ? { signal: hooks.signal } : {}),
  };
  const streamed = request.variant === 'token' && numBeams === 1;
  let ids: number[][];
  if (request.variant === 'sequence') {
    ids = await new RagSequenceForGeneration(rag).generate({ ...contexts, numReturnSequences: 1 });
  } else if (streamed) {
    const decoderStart = rag.components.generationConfig.decoderStartTokenId ?? 2;
    const produced: number[] = [decoderStart];
    ids = await model.generate({
      ...contexts,
      onTokens: ([token]) => {
        produced.push(token!);
        hooks.onText?.(tokenizer.batchDecode([produced], { skipSpecialTokens: true })[0]!);
      },
    });
  } else {
    ids = await model.generate(contexts);
  }
  hooks.onSequences?.(ids);
  const answer = tokenizer.batchDecode(ids.slice(0, 1), { skipSpecialTokens: true })[0] ?? '';
  hooks.onText?.(answer);
  return { answer, passages, nDocs, device: rag.device, streamed, retrieveMs, generateMs: performance.now() - started - retrieveMs };
}

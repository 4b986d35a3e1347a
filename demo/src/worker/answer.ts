import { docScoresRef } from '@rag-web/core';
import { RagSequenceForGeneration, type RagTokenForGeneration } from '@rag-web/models';
import { RagRetriever, type KnowledgeBase } from '@rag-web/retriever';
import type { AskHooks, AskRequest, AskResult, RetrievedPassage } from './engine.js';
import { DemoInputError } from './errors.js';

/**
 * One question, answered with provenance: encode the question, retrieve from the knowledge base
 * (`RagRetriever.call`, transformers' context formatting), score the documents as `RagModel`
 * does, show them, then generate from exactly those contexts. Passing the contexts (rather than
 * giving the model a retriever) is what lets the page show the passages and their doc scores.
 */
export async function answerQuestion(model: RagTokenForGeneration, kb: KnowledgeBase, request: AskRequest, hooks: AskHooks = {}): Promise<AskResult> {
  const rag = model.rag;
  const question = request.question.trim();
  if (question === '') throw new DemoInputError('Type a question first.');
  const { numBeams, maxLength } = request;
  for (const [name, value] of Object.entries({ nDocs: request.nDocs, numBeams, maxLength })) {
    if (!Number.isInteger(value) || value < 1) throw new DemoInputError(`${name} must be a positive whole number, got ${value}.`, { [name]: value });
  }
  // A small knowledge base (a few pasted documents) still answers, from all it holds.
  const nDocs = Math.min(request.nDocs, Math.max(kb.size, 1));

  const started = performance.now();
  const { tokenizer, config } = rag.components;
  const { inputIds, attentionMask } = tokenizer.encodeQuestions([question]);
  const retriever = new RagRetriever(kb, config, { questionEncoder: tokenizer.questionEncoder, generator: tokenizer.generator });
  // rag.guard: a WebGPU device lost here reloads the model on WASM and runs the step again.
  const pooled = await rag.guard(() => rag.components.questionEncoder.forward(inputIds, attentionMask));
  const retrieved = await retriever.call(inputIds, pooled, { nDocs });
  const docScores = docScoresRef(pooled, retrieved.retrievedDocEmbeds, { batch: 1, nDocs, hidden: retriever.dimension });
  const passages = withProbabilities(await kb.getPassages(retrieved.docIds[0]!), docScores);
  hooks.onRetrieved?.(passages);
  const retrieveMs = performance.now() - started;

  const contexts = {
    contextInputIds: retrieved.contextInputIds,
    contextAttentionMask: retrieved.contextAttentionMask,
    docScores,
    nDocs,
    numBeams,
    maxLength,
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
  const answer = tokenizer.batchDecode(ids.slice(0, 1), { skipSpecialTokens: true })[0] ?? '';
  hooks.onText?.(answer);
  return { answer, passages, nDocs, device: rag.device, streamed, retrieveMs, generateMs: performance.now() - started - retrieveMs };
}

/** p(z | x): the softmax of the doc scores over the retrieved set, as RAG marginalizes with it. */
function withProbabilities(stored: Array<{ id: number; title: string; text: string }>, scores: Float32Array): RetrievedPassage[] {
  const max = Math.max(...scores);
  const exp = Array.from(scores, (s) => Math.exp(s - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return stored.map((p, i) => ({ docId: p.id, title: p.title, text: p.text, score: scores[i]!, probability: exp[i]! / sum }));
}

/**
 * The generation bench's third system: the loop a web developer would write today with
 * @huggingface/transformers 4.x on the same ONNX files, in a process of its own. transformers.js
 * has no RAG model, so its BartForConditionalGeneration loads the generator part of the model
 * folder and RAG is written by hand around its public forward(): the encoder once over the n_docs
 * contexts, then each step the decoder once per retrieved document and per beam (batch 1, each
 * with its own past_key_values), log_softmax per document in JS, plus log_softmax(doc_scores),
 * logsumexp over the documents (RAG-Token); greedy, or a hand-written beam search. RAG-Sequence:
 * a beam search per document, then transformers' rescoring of every candidate under every document.
 *
 *   node bench/generation/transformersjs.mjs SPEC.json     (the SPEC ours.ts reads)
 *
 * SPEC device: `cpu` or `transformersjs` → onnxruntime-node (transformers.js's Node default);
 * `wasm` or `transformersjs-wasm` → onnxruntime-web's WASM EP (what a browser gets). Prints one
 * JSON object as ours.ts does, plus per scenario what one decode step of the long run costs:
 * decoder session runs and bytes of logits (and of all outputs) handed back to JS.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Tensor as TjsTensor } from '@huggingface/transformers';
import { median } from '../stats.js';
import { timeScenario, type Scenario } from './scenarios.js';
import { memory, processPeakMemory, readSpec } from './system.js';

const { spec, inputs } = readSpec();
if (inputs.docScores.length !== 1) throw new Error('one question per run: docScores must be [1][n_docs]');
const backend = spec.device.endsWith('wasm') ? 'wasm' : 'cpu';

if (backend === 'wasm') {
  // In Node transformers.js offers onnxruntime-node only; the runtime it finds at
  // globalThis[Symbol.for('onnxruntime')] replaces it: here its own onnxruntime-web, as in a browser.
  // Node's own require (onnxruntime-web's Node build is CommonJS), not Vite's module runner.
  const requireWeb = createRequire(createRequire(import.meta.url).resolve('@huggingface/transformers'));
  const webPath = requireWeb.resolve('onnxruntime-web');
  const ortWeb = requireWeb('onnxruntime-web') as { env: { wasm: { wasmPaths?: string; numThreads?: number } } };
  // Set before transformers.js loads, or it points onnxruntime-web at a CDN for the .wasm.
  ortWeb.env.wasm.wasmPaths = `${pathToFileURL(dirname(webPath)).href}/`;
  ortWeb.env.wasm.numThreads = spec.threads;
  (globalThis as Record<symbol, unknown>)[Symbol.for('onnxruntime')] = ortWeb;
}
const { AutoModelForSeq2SeqLM, Tensor, env } = await import('@huggingface/transformers');

// The transformers.js-layout folder: rag.json names the generator part's folder.
const generatorDir = resolve(spec.model, (JSON.parse(readFileSync(join(spec.model, 'rag.json'), 'utf8')) as { generator: string }).generator);
env.allowRemoteModels = false;
env.localModelPath = dirname(generatorDir);
const fileBytes = new Map<string, number>();
const t0 = performance.now();
const model = await AutoModelForSeq2SeqLM.from_pretrained(basename(generatorDir), {
  // The bench's dtype names are transformers.js's: q8 loads onnx/*_quantized.onnx.
  dtype: spec.dtype,
  local_files_only: true,
  // Node's transformers.js knows no 'wasm' device and, on a substituted runtime, lists none: 'auto' passes, the EP is named here.
  ...(backend === 'cpu' ? { device: 'cpu' as const } : { device: 'auto' as const, session_options: { executionProviders: ['wasm'] } }),
  progress_callback: (e) => {
    if (e.status === 'progress' && /\.onnx(_data)?$/.test(e.file)) fileBytes.set(e.file, e.total);
  },
});
const loadMs = performance.now() - t0;
const weightBytes = [...fileBytes.values()].reduce((a, b) => a + b, 0);
const afterLoad = memory();

const generation = model.generation_config as unknown as Partial<Record<string, unknown>>;
// Processors transformers would add for these and this loop does not implement: refuse rather than diverge.
for (const key of ['repetition_penalty', 'bad_words_ids', 'encoder_no_repeat_ngram_size']) {
  if (generation[key] != null && generation[key] !== 1) throw new Error(`generation_config.${key} is set: this loop does not implement it`);
}
const tokenList = (v: unknown): number[] => (v == null ? [] : [v].flat() as number[]);
const decoderStart = generation.decoder_start_token_id as number;
const eos = tokenList(generation.eos_token_id);
const forcedBos = tokenList(generation.forced_bos_token_id);
const forcedEos = tokenList(generation.forced_eos_token_id);
const noRepeatNgram = (generation.no_repeat_ngram_size as number | undefined) ?? 0;
const pad = generation.pad_token_id as number;
const bos = generation.bos_token_id as number;

const nDocs = inputs.contextInputIds.length;
const docs = Array.from({ length: nDocs }, (_, d) => d);
const int64 = (rows: number[][]) => new Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [rows.length, rows[0]!.length]);
const contextIds = int64(inputs.contextInputIds);
const contextMask = int64(inputs.contextInputIds.map((row) => row.map((id) => (id === pad ? 0 : 1))));
const docMasks = docs.map((d) => contextMask.slice([d, d + 1]));

function logSumExpRange(x: ArrayLike<number>, from: number, to: number): number {
  let max = -Infinity;
  for (let i = from; i < to; i++) max = Math.max(max, x[i]!);
  if (max === -Infinity) return max;
  let sum = 0;
  for (let i = from; i < to; i++) sum += Math.exp(x[i]! - max);
  return max + Math.log(sum);
}
function logSoftmax(x: ArrayLike<number>): Float64Array {
  const lse = logSumExpRange(x, 0, x.length);
  return Float64Array.from(x, (v) => v - lse);
}
const docLogProbs = logSoftmax(inputs.docScores[0]!);

/**
 * transformers' logits processors for these configs, in its order: NoRepeatNGram, MinLength
 * (minLength = maxLength = length: EOS banned on every step but the last), ForcedBOS, ForcedEOS.
 */
function processScores(scores: Float64Array, tokens: number[], length: number): void {
  const curLen = tokens.length;
  if (noRepeatNgram > 0 && curLen + 1 >= noRepeatNgram) {
    const prefix = tokens.slice(curLen - noRepeatNgram + 1).join();
    for (let i = 0; i + noRepeatNgram <= curLen; i++) {
      if (tokens.slice(i, i + noRepeatNgram - 1).join() === prefix) scores[tokens[i + noRepeatNgram - 1]!] = -Infinity;
    }
  }
  if (curLen < length) for (const id of eos) scores[id] = -Infinity;
  const force = (ids: number[]) => {
    scores.fill(-Infinity);
    for (const id of ids) scores[id] = 0;
  };
  if (forcedBos.length > 0 && curLen === 1) force(forcedBos);
  if (forcedEos.length > 0 && curLen === length - 1) force(forcedEos);
}

type Cache = Record<string, TjsTensor>;
interface Counts {
  runs: number;
  logitsBytes: number;
  outputBytes: number;
  /** Wall time of the step (for RAG-Sequence: of that position summed over the documents' searches). */
  ms: number;
}
const zero = (): Counts => ({ runs: 0, logitsBytes: 0, outputBytes: 0, ms: 0 });
let total = zero();
let perStep: Counts[] = [];
/** What the runs since `before` cost, added to decode step `cur`'s tally. */
function tally(cur: number, before: Counts, startedAt: number): void {
  const step = (perStep[cur] ??= zero());
  step.ms += performance.now() - startedAt;
  step.runs += total.runs - before.runs;
  step.logitsBytes += total.logitsBytes - before.logitsBytes;
  step.outputBytes += total.outputBytes - before.outputBytes;
}

/** The encoder over all contexts in one run (the step transformers.js's own generate() takes), split per document. */
async function encode(): Promise<TjsTensor[]> {
  const { encoder_outputs } = (await model._prepare_encoder_decoder_kwargs_for_generation({
    inputs_tensor: contextIds,
    model_inputs: { input_ids: contextIds, attention_mask: contextMask },
    model_input_name: 'input_ids',
    generation_config: model.generation_config,
  })) as { encoder_outputs: TjsTensor };
  return docs.map((d) => encoder_outputs.slice([d, d + 1]));
}

/** One decoder run for one document, batch 1: its logits (tokens × vocab) and the cache after it. */
async function decode(hidden: TjsTensor[], doc: number, tokens: number[], past: Cache | null): Promise<{ logits: Float32Array; cache: Cache }> {
  const out = (await model.forward({
    decoder_input_ids: int64([tokens]),
    encoder_outputs: hidden[doc],
    attention_mask: docMasks[doc],
    ...(past && { past_key_values: past }),
  })) as Record<string, TjsTensor>;
  const cache: Cache = {};
  total.runs++;
  for (const [name, tensor] of Object.entries(out)) {
    total.outputBytes += (tensor.data as Float32Array).byteLength;
    if (!name.startsWith('present')) continue;
    const key = name.replace('present', 'past_key_values');
    // With a past the merged decoder returns empty cross-attention entries: the first step's stay (as in transformers.js's generate()).
    cache[key] = past && name.includes('.encoder.') ? past[key]! : tensor;
  }
  if (out.logits!.type !== 'float32') throw new Error(`logits are ${out.logits!.type}, not float32`);
  const logits = out.logits!.data as Float32Array;
  total.logitsBytes += logits.byteLength;
  return { logits, cache };
}

/** One RAG-Token step of one hypothesis: the decoder per document, logsumexp_d(log_softmax(logits_d) + log p(d)). */
async function ragTokenStep(hidden: TjsTensor[], tokens: number[], caches: Array<Cache | null>): Promise<{ scores: Float64Array; caches: Cache[] }> {
  const perDoc: Float64Array[] = [];
  const next: Cache[] = [];
  for (const d of docs) {
    const { logits, cache } = await decode(hidden, d, [tokens.at(-1)!], caches[d] ?? null);
    const logProbs = logSoftmax(logits);
    for (let v = 0; v < logProbs.length; v++) logProbs[v]! += docLogProbs[d]!;
    perDoc.push(logProbs);
    next.push(cache);
  }
  const scores = new Float64Array(perDoc[0]!.length);
  for (let v = 0; v < scores.length; v++) {
    let max = -Infinity;
    for (const lp of perDoc) max = Math.max(max, lp[v]!);
    let sum = 0;
    for (const lp of perDoc) sum += Math.exp(lp[v]! - max);
    scores[v] = max === -Infinity ? max : max + Math.log(sum);
  }
  return { scores, caches: next };
}

/** RAG-Token greedy: processors on the marginalized scores, argmax (transformers' `_sample` without sampling). */
async function tokenGreedy(length: number): Promise<number[]> {
  const hidden = await encode();
  const tokens = [decoderStart];
  let caches: Array<Cache | null> = docs.map(() => null);
  for (let cur = 1; cur < length; cur++) {
    const before = { ...total };
    const startedAt = performance.now();
    const step = await ragTokenStep(hidden, tokens, caches);
    caches = step.caches;
    processScores(step.scores, tokens, length);
    let best = 0;
    for (let v = 1; v < step.scores.length; v++) if (step.scores[v]! > step.scores[best]!) best = v;
    tokens.push(best);
    tally(cur, before, startedAt);
  }
  return tokens;
}

interface Hypothesis<S> {
  tokens: number[];
  score: number;
  state: S;
}

/**
 * Beam search as transformers runs it when every hypothesis runs to `length` (EOS is banned until
 * the forced last step, so none finishes early): per step log_softmax, the processors, the
 * running score added, the `numBeams` best (beam, token) continuations kept; the last step's
 * are the finished hypotheses, best first. length_penalty divides them all by the same length, so
 * it is left out. It starts from one hypothesis: transformers' other initial beams sit at -1e9
 * and never survive the first step.
 */
async function beamSearch<S>(
  length: number,
  numBeams: number,
  initial: S,
  step: (tokens: number[], state: S) => Promise<{ scores: ArrayLike<number>; state: S }>,
): Promise<number[][]> {
  let beams: Array<Hypothesis<S>> = [{ tokens: [decoderStart], score: 0, state: initial }];
  for (let cur = 1; cur < length; cur++) {
    const before = { ...total };
    const startedAt = performance.now();
    const expanded: Array<{ beam: Hypothesis<S>; scores: Float64Array; state: S }> = [];
    for (const beam of beams) {
      const out = await step(beam.tokens, beam.state);
      const scores = logSoftmax(out.scores);
      processScores(scores, beam.tokens, length);
      expanded.push({ beam, scores, state: out.state });
    }
    const top: Array<{ from: number; token: number; score: number }> = [];
    expanded.forEach(({ beam, scores }, from) => {
      for (let token = 0; token < scores.length; token++) {
        const score = beam.score + scores[token]!;
        if (score === -Infinity || (top.length === numBeams && score <= top.at(-1)!.score)) continue;
        const at = top.findIndex((t) => score > t.score);
        top.splice(at < 0 ? top.length : at, 0, { from, token, score });
        if (top.length > numBeams) top.pop();
      }
    });
    beams = top.map(({ from, token, score }) => ({ tokens: [...expanded[from]!.beam.tokens, token], score, state: expanded[from]!.state }));
    tally(cur, before, startedAt);
  }
  return beams.map((b) => b.tokens);
}

async function tokenBeam(length: number, numBeams: number): Promise<number[]> {
  const hidden = await encode();
  const step = async (tokens: number[], caches: Array<Cache | null>) => {
    const out = await ragTokenStep(hidden, tokens, caches);
    return { scores: out.scores, state: out.caches as Array<Cache | null> };
  };
  return (await beamSearch(length, numBeams, docs.map((): Cache | null => null), step))[0]!;
}

/**
 * RagSequenceForGeneration.generate: a beam search per document (numBeams hypotheses each),
 * duplicates dropped (first kept), then each candidate scored under every document with one
 * full-length decoder run (teacher forcing): log p(y|d) + log p(d) (added at the second
 * position, transformers' `get_nll`; pad targets masked, the first token left out when every
 * candidate starts with BOS), logsumexp over documents; the best candidate wins.
 */
async function ragSequence(length: number, numBeams: number): Promise<{ ids: number[]; rescore: Counts }> {
  const hidden = await encode();
  const candidates = new Map<string, number[]>();
  for (const d of docs) {
    const step = async (tokens: number[], past: Cache | null) => {
      const { logits, cache } = await decode(hidden, d, [tokens.at(-1)!], past);
      return { scores: logits, state: cache as Cache | null };
    };
    for (const tokens of await beamSearch(length, numBeams, null, step)) if (!candidates.has(tokens.join())) candidates.set(tokens.join(), tokens);
  }
  const before = { ...total };
  const skipFirst = [...candidates.values()].every((c) => c[1] === bos);
  let best: number[] = [];
  let bestLogLikelihood = -Infinity;
  for (const candidate of candidates.values()) {
    const perDoc: number[] = [];
    for (const d of docs) {
      const { logits } = await decode(hidden, d, candidate, null);
      const vocab = logits.length / length;
      let ll = 0;
      for (let t = skipFirst ? 1 : 0; t < length - 1; t++) {
        if (candidate[t + 1] === pad) continue;
        ll += logits[t * vocab + candidate[t + 1]!]! - logSumExpRange(logits, t * vocab, (t + 1) * vocab) + (t === 1 ? docLogProbs[d]! : 0);
      }
      perDoc.push(ll);
    }
    const ll = logSumExpRange(perDoc, 0, perDoc.length);
    if (ll > bestLogLikelihood) [best, bestLogLikelihood] = [candidate, ll];
  }
  const rescore = { runs: total.runs - before.runs, logitsBytes: total.logitsBytes - before.logitsBytes, outputBytes: total.outputBytes - before.outputBytes, ms: 0 };
  return { ids: best, rescore };
}

async function run(s: Scenario, length: number): Promise<{ ms: number; ids: number[]; rescore?: Counts }> {
  total = zero();
  perStep = [];
  const start = performance.now();
  const out =
    s.variant === 'sequence'
      ? await ragSequence(length, s.numBeams)
      : { ids: s.numBeams === 1 ? await tokenGreedy(length) : await tokenBeam(length, s.numBeams) };
  return { ms: performance.now() - start, ...out };
}

const scenarios = [];
const peak = processPeakMemory();
for (const s of spec.scenarios) {
  const { result, long } = await timeScenario(s, spec.repeats, run, peak);
  // The last step of the last long run: every beam live, the steady state.
  const last = perStep.at(-1)!;
  const rescore = long.at(-1)!.rescore;
  scenarios.push({
    ...result,
    // Positions 2.. of the last long run (the first step has no past): the steady state.
    stepMedianMs: Math.round(100 * median(perStep.slice(2).map((c) => c.ms))) / 100,
    runsPerStep: last.runs,
    readBackBytesPerStep: last.logitsBytes,
    outputBytesPerStep: last.outputBytes,
    ...(rescore && { rescoreRuns: rescore.runs, rescoreBytesReadBack: rescore.logitsBytes }),
  });
}
console.log(
  JSON.stringify({
    system: backend === 'cpu' ? 'transformersjs' : 'transformersjs-wasm',
    versions: { transformers: env.version, onnxruntime: env.backends.onnx.versions },
    device: backend,
    dtype: spec.dtype,
    threads: backend === 'cpu' ? 'onnxruntime-node default (one per core)' : spec.threads,
    loadMs: Math.round(loadMs),
    weightBytes,
    afterLoad,
    atEnd: memory(),
    peakRssBytes: peak?.overallPeakBytes() ?? process.resourceUsage().maxRSS * 1024,
    scenarios,
  }),
);
await model.dispose();

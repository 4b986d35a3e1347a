export { GenerationError } from './errors.js';
export { contextCopyConstraint, type ContextCopyOptions } from './context-copy.js';
export { foldRowEdits } from './logits-edits.js';
export {
  ForcedBOSTokenLogitsProcessor,
  ForcedEOSTokenLogitsProcessor,
  MinLengthLogitsProcessor,
  NoBadWordsLogitsProcessor,
  NoRepeatNGramLogitsProcessor,
  PrefixConstrainedLogitsProcessor,
  type InputIds,
  type LogitsProcessor,
  type PrefixAllowedTokensFn,
} from './logits-processors.js';
export {
  buildLogitsProcessors,
  LogitsProcessorList,
  type BuildLogitsProcessorsOptions,
  type LogitsProcessorConfig,
} from './logits-processor-list.js';
export {
  BeamHypotheses,
  type BeamHypothesesOptions,
  type BeamHypothesis,
  type EarlyStopping,
  type FinishedCandidate,
} from './beam-hypotheses.js';
export {
  BeamSearchScorer,
  type BeamCandidates,
  type BeamSearchOutput,
  type BeamSearchScorerOptions,
  type BeamStepOutput,
} from './beam-search-scorer.js';
export { argmaxRows, GreedySearch, type GreedySearchOptions } from './greedy-search.js';
export {
  beamSearch,
  greedySearch,
  type BeamStepFn,
  type BeamStepRequest,
  type GreedyStepFn,
  type SearchControl,
} from './search-drivers.js';

/**
 * Kernel registry: every GPU kernel with its CPU reference, one row each.
 * `run*` takes GPUBuffers that may come straight from onnxruntime-web (`tensor.gpuBuffer`);
 * `*Ref` takes typed arrays and is both the test oracle and the WASM/CPU path.
 */
export { createDocScoresProgram, runDocScores } from './doc-scores/doc-scores.js';
export { docScoresRef } from './doc-scores/doc-scores.ref.js';
export type { DocScoresShape } from './doc-scores/doc-scores.validate.js';
export { createLogitsEditsProgram, runLogitsEdits } from './logits-edits/logits-edits.js';
export { logitsEditsRef } from './logits-edits/logits-edits.ref.js';
export { NO_ENTRY, packRowEdits, type LogitsEditsShape, type RowEdit } from './logits-edits/logits-edits.validate.js';
export { createLogSoftmaxProgram, runLogSoftmax } from './log-softmax/log-softmax.js';
export { logSoftmaxRef } from './log-softmax/log-softmax.ref.js';
export { validateLogSoftmax, type LogSoftmaxShape } from './log-softmax/log-softmax.validate.js';
export { createMarginalizeProgram, createMarginalizeRowStatsProgram, ROW_STATS_STRIDE, runMarginalize, runMarginalizeRowStats } from './marginalize/marginalize.js';
export { docLogSoftmaxRef, logSumExpRef, marginalizeRef } from './marginalize/marginalize.ref.js';
export type { MarginalizeShape } from './marginalize/marginalize.validate.js';
export { createRagSequenceNllProgram, createRagTokenNllPrograms, runRagSequenceNll, runRagTokenNll } from './nll/nll.js';
export { ragSequenceNllRef, ragTokenNllRef } from './nll/nll.ref.js';
export { ragNllLength, type RagNllOptions, type RagNllResult, type RagNllShape, type RagSequenceNllOptions } from './nll/nll.validate.js';
export { createTopKProgram, readTopK, runTopK, type TopKBuffers } from './top-k/top-k.js';
export { topKRef, type TopKResult } from './top-k/top-k.ref.js';
export { TOP_K_MAX_K, type TopKShape } from './top-k/top-k.validate.js';
export { createGatherRowsProgram, runGatherRows } from './gather-rows/gather-rows.js';
export { gatherRowsRef, type GatherRowsArray } from './gather-rows/gather-rows.ref.js';
export type { GatherRowsShape } from './gather-rows/gather-rows.validate.js';
export type { LogitsDtype } from './wgsl/index.js';

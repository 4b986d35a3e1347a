/**
 * Kernel registry: every GPU kernel with its CPU reference, one row each.
 * `run*` takes GPUBuffers that may come straight from onnxruntime-web (`tensor.gpuBuffer`) and
 * either a GPUDevice (one submit of its own) or a KernelRunner (encoded into the caller's
 * command buffer); `*Ref` takes typed arrays and is both the test oracle and the WASM/CPU path.
 */
export { ipScoresKernel, runDocScores, runIpScores } from './ip-scores/ip-scores.js';
export { docScoresRef, ipScoresRef } from './ip-scores/ip-scores.ref.js';
export type { DocScoresShape, IpScoresShape } from './ip-scores/ip-scores.validate.js';
export { logitsEditsKernel, runLogitsEdits } from './logits-edits/logits-edits.js';
export { logitsEditsRef } from './logits-edits/logits-edits.ref.js';
export { NO_ENTRY, packRowEdits, type LogitsEditsShape, type RowEdit } from './logits-edits/logits-edits.validate.js';
export { logSoftmaxKernel, runLogSoftmax } from './log-softmax/log-softmax.js';
export { logSoftmaxRef } from './log-softmax/log-softmax.ref.js';
export { validateLogSoftmax, type LogSoftmaxShape } from './log-softmax/log-softmax.validate.js';
export { encodeMarginalizeRowStats, marginalizeKernel, marginalizeRowStatsKernel, ROW_STATS_STRIDE, runMarginalize } from './marginalize/marginalize.js';
export { docLogSoftmaxRef, logSumExpRef, marginalizeRef } from './marginalize/marginalize.ref.js';
export type { MarginalizeShape } from './marginalize/marginalize.validate.js';
export { ragSequenceNllKernel, ragTokenNllKernels, runRagSequenceNll, runRagTokenNll } from './nll/nll.js';
export { ragSequenceNllRef, ragTokenNllRef } from './nll/nll.ref.js';
export { ragNllLength, type RagNllOptions, type RagNllResult, type RagNllShape, type RagSequenceNllOptions } from './nll/nll.validate.js';
export { readTopK, runTopK, topKKernels, type TopKBuffers } from './top-k/top-k.js';
export { topKRef, type TopKResult } from './top-k/top-k.ref.js';
export { TOP_K_MAX_K, type TopKShape } from './top-k/top-k.validate.js';
export { gatherRowsKernel, runGatherRows } from './gather-rows/gather-rows.js';
export { gatherRowsRef, type GatherRowsArray } from './gather-rows/gather-rows.ref.js';
export type { GatherRowsShape } from './gather-rows/gather-rows.validate.js';
export type { LogitsDtype } from './wgsl/index.js';
export { beamSelectKernel, runBeamSelect, type BeamSelectBuffers } from './beam-select/beam-select.js';
export { beamSelectRef } from './beam-select/beam-select.ref.js';
export type { BeamSelection, BeamSelectShape } from './beam-select/beam-select.validate.js';

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

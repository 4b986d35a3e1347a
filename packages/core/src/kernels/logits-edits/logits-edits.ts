import { KernelRunner } from '../../gpu/kernel-runner.js';
import type { Kernel } from '../../gpu/program.js';
import code from './logits-edits.wgsl?raw';
import { packRowEdits, validateLogitsEdits, type LogitsEditsShape, type RowEdit } from './logits-edits.validate.js';

export const logitsEditsKernel: Kernel = { name: 'logitsEdits', code, workgroupSize: 256 };

/**
 * GPU logitsEdits over a (rows × V) score buffer left on the GPU (log-probs of this step):
 * returns a new (rows × V) buffer of processed scores + beam scores, ready for top-k.
 * Only the small edit lists and beam scores travel CPU → GPU; nothing is read back.
 */
export function runLogitsEdits(
  gpu: GPUDevice | KernelRunner,
  scores: GPUBuffer,
  beamScores: ArrayLike<number>,
  edits: ReadonlyArray<RowEdit | undefined>,
  shape: LogitsEditsShape,
): GPUBuffer {
  validateLogitsEdits(shape, scores.size / 4, beamScores, edits, 'buffer');
  const { rows, vocab } = shape;
  const { specs, tokens } = packRowEdits(rows, edits);
  return KernelRunner.on(gpu, 'logitsEdits', (run) => {
    const out = run.output(rows * vocab * 4, 'logitsEdits.out');
    const params = run.uniform([rows, vocab, { f32: -Infinity }], 'logitsEdits.params');
    const inputs = [run.input(Float32Array.from(beamScores), 'logitsEdits.beamScores'), run.input(specs, 'logitsEdits.rowSpecs'), run.input(tokens, 'logitsEdits.tokens')];
    run.dispatch(logitsEditsKernel, [params, scores, ...inputs, out], { invocations: rows * vocab });
    return out;
  });
}

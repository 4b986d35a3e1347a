import { KernelRunner } from '../../gpu/kernel-runner.js';
import type { Kernel } from '../../gpu/program.js';
import code from './beam-select.wgsl?raw';
import { validateBeamSelect, type BeamSelectShape } from './beam-select.validate.js';

export const beamSelectKernel: Kernel = { name: 'beamSelect', code, workgroupSize: 64 };

export interface BeamSelectBuffers {
  /** (batch·numBeams) u32. */
  nextBeamIndices: GPUBuffer;
  /** (batch·numBeams·nDocs) u32, the indices of a cache gather. */
  cacheRows: GPUBuffer;
}

/** GPU beamSelect over top-k buffers of the same runner; the caller owns the returned buffers. */
export function runBeamSelect(gpu: GPUDevice | KernelRunner, ids: GPUBuffer, values: GPUBuffer, shape: BeamSelectShape): BeamSelectBuffers {
  validateBeamSelect(shape, ids.size / 4, values.size / 4, 'buffer');
  const { batch, k, numBeams, vocab, nDocs, eosTokenIds, reachesMax } = shape;
  return KernelRunner.on(gpu, 'beamSelect', (run) => {
    const params = run.uniform([batch, k, numBeams, vocab, nDocs, eosTokenIds.length, reachesMax ? 1 : 0], 'beamSelect.params');
    const eos = run.input(Uint32Array.from(eosTokenIds.length ? eosTokenIds : [0]), 'beamSelect.eosIds');
    const nextBeamIndices = run.output(batch * numBeams * 4, 'beamSelect.nextBeamIndices');
    const cacheRows = run.output(batch * numBeams * nDocs * 4, 'beamSelect.cacheRows');
    run.dispatch(beamSelectKernel, [params, ids, values, eos, nextBeamIndices, cacheRows], { invocations: batch });
    return { nextBeamIndices, cacheRows };
  });
}

import { validateBeamSelect, type BeamSelection, type BeamSelectShape } from './beam-select.validate.js';

/** TS reference of beamSelect: the scorer's choice of running beams (float32 masking, stable ties). */
export function beamSelectRef(ids: Uint32Array, values: Float32Array, shape: BeamSelectShape): BeamSelection {
  validateBeamSelect(shape, ids.length, values.length, 'array');
  const { batch, k, numBeams, vocab, nDocs, eosTokenIds, reachesMax } = shape;
  const eos = new Set(eosTokenIds);
  const nextBeamIndices = new Uint32Array(batch * numBeams);
  const cacheRows = new Uint32Array(batch * numBeams * nDocs);
  for (let b = 0; b < batch; b++) {
    const live = Array.from({ length: k }, (_, i) => {
      const at = b * k + i;
      return reachesMax || eos.has(ids[at]! % vocab) ? Math.fround(values[at]! - 1e9) : values[at]!;
    });
    const order = live.map((_, i) => i).sort((x, y) => (live[x]! > live[y]! ? -1 : live[x]! < live[y]! ? 1 : x - y));
    order.slice(0, numBeams).forEach((i, j) => {
      const row = b * numBeams + j;
      const beamRow = b * numBeams + Math.floor(ids[b * k + i]! / vocab);
      nextBeamIndices[row] = beamRow;
      for (let z = 0; z < nDocs; z++) cacheRows[row * nDocs + z] = beamRow * nDocs + z;
    });
  }
  return { nextBeamIndices, cacheRows };
}

import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../errors.js';
import { beamSelectRef } from './beam-select.ref.js';

const V = 10;
const base = { batch: 1, k: 4, numBeams: 2, vocab: V, nDocs: 1, eosTokenIds: [2], reachesMax: false };

describe('beamSelectRef', () => {
  it('keeps the best non-EOS candidates, mapping ids to flat beam rows', () => {
    // Candidates (best first): beam 1 token 2 (EOS), beam 0 token 5, beam 1 token 7, beam 0 token 3.
    const ids = Uint32Array.from([1 * V + 2, 0 * V + 5, 1 * V + 7, 0 * V + 3]);
    const values = Float32Array.from([-0.1, -0.5, -0.7, -0.9]);
    expect([...beamSelectRef(ids, values, base).nextBeamIndices]).toEqual([0, 1]);
  });

  it('expands rows per document and offsets by batch item', () => {
    const ids = Uint32Array.from([5, 13, 17, 4, /* b1 */ 11, 6, 18, 3]);
    const values = Float32Array.from([-1, -2, -3, -4, -1, -2, -3, -4]);
    const out = beamSelectRef(ids, values, { ...base, batch: 2, nDocs: 3, eosTokenIds: [] });
    expect([...out.nextBeamIndices]).toEqual([0, 1, 3, 2]);
    expect([...out.cacheRows]).toEqual([0, 1, 2, 3, 4, 5, 9, 10, 11, 6, 7, 8]);
  });

  it('falls back on masked EOS candidates in score order when too few others are left, and at max length', () => {
    const ids = Uint32Array.from([2, 12, 9, 3]);
    const values = Float32Array.from([-0.1, -0.2, -0.3, -0.4]);
    // Two EOS ids among four: the two non-EOS win.
    expect([...beamSelectRef(ids, values, { ...base, eosTokenIds: [2, 12] }).nextBeamIndices]).toEqual([0, 0]);
    // Everything hits at max length: the order is the candidates' own.
    expect([...beamSelectRef(ids, values, { ...base, reachesMax: true }).nextBeamIndices]).toEqual([0, 1]);
  });

  it('rejects more beams than candidates and short inputs', () => {
    expect(() => beamSelectRef(new Uint32Array(4), new Float32Array(4), { ...base, numBeams: 5 })).toThrow(ShapeError);
    expect(() => beamSelectRef(new Uint32Array(3), new Float32Array(4), base)).toThrow(ShapeError);
  });
});

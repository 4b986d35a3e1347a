import { beamSelectRef } from '@rag-web/core';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../test/seeded-random.js';
import { BeamSearchScorer } from '../generation/beam-search-scorer.js';

// The WebGPU step reorders the cache for the beams that core's beamSelect predicts; the decode
// loop uses that reorder only when the scorer agrees. They must agree on real steps, or every
// beam step would pay a second submit: check the prediction against the scorer itself.
describe('beamSelect predicts the BeamSearchScorer', () => {
  const cases = [
    { batch: 1, numBeams: 3, eos: [2], maxLength: 8 },
    { batch: 2, numBeams: 4, eos: [2, 7], maxLength: 10 },
    { batch: 3, numBeams: 2, eos: [], maxLength: 6 },
  ];
  for (const c of cases) {
    it(`batch ${c.batch}, ${c.numBeams} beams, eos ${JSON.stringify(c.eos)}`, () => {
      const vocab = 11;
      const rand = seededRandom(c.batch * 100 + c.numBeams);
      const scorer = new BeamSearchScorer(Array.from({ length: c.batch }, () => [0]), { numBeams: c.numBeams, maxLength: c.maxLength, eosTokenId: c.eos });
      const k = scorer.beamsToKeep;
      while (!scorer.isDone) {
        const ids = new Uint32Array(c.batch * k);
        const values = new Float32Array(c.batch * k);
        for (let b = 0; b < c.batch; b++) {
          let v = scorer.runningBeamScores[b * c.numBeams]! - rand();
          for (let i = 0; i < k; i++) {
            const token = rand() < 0.25 && c.eos.length ? c.eos[Math.floor(rand() * c.eos.length)]! : 3 + Math.floor(rand() * (vocab - 3));
            ids[b * k + i] = Math.floor(rand() * c.numBeams) * vocab + token;
            if (rand() > 0.15) v = Math.fround(v - rand());
            values[b * k + i] = v;
          }
        }
        const predicted = beamSelectRef(ids, values, { batch: c.batch, k, numBeams: c.numBeams, vocab, nDocs: 1, eosTokenIds: c.eos, reachesMax: scorer.curLen + 1 >= c.maxLength });
        const out = scorer.process({ scores: values, tokens: Array.from(ids, (id) => id % vocab), beamIndices: Array.from(ids, (id) => Math.floor(id / vocab)) });
        expect([...predicted.nextBeamIndices]).toEqual([...out.nextBeamIndices]);
      }
    });
  }
});

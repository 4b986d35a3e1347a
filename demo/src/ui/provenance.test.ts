import { describe, expect, it } from 'vitest';
import type { RetrievedPassage } from '../worker/engine.js';
import { judgeAnswer } from './provenance.js';

const passage = (docId: number, title: string, text: string, probability: number): RetrievedPassage => ({ docId, title, text, score: 0, probability });

const retrieved = [
  passage(3, 'Japan', 'Japan is a sovereign country in Eastern Asia. The currency is the Japanese yen.', 0.3),
  passage(76, 'France', 'France is a sovereign country in Western Europe, Europe. The capital city is  Paris.', 0.6),
  passage(9, 'Paris', 'Paris is a city of France.', 0.1),
];

describe('judgeAnswer', () => {
  it('names the most probable passage, in any order, and whether the answer occurs in it (case and spacing aside)', () => {
    expect(judgeAnswer(' paris ', retrieved, 0.5)).toEqual({ found: true, source: { docId: 76, title: 'France', probability: 0.6, containsAnswer: true } });
    expect(judgeAnswer('the capital city is paris', retrieved, 0.5).source?.containsAnswer).toBe(true);
    expect(judgeAnswer('Lyon', retrieved, 0.5).source).toEqual({ docId: 76, title: 'France', probability: 0.6, containsAnswer: false });
    expect(judgeAnswer('', retrieved, 0.5).source?.containsAnswer).toBe(false);
  });

  it('is not found when the top passage is below the threshold, found at or above it', () => {
    expect(judgeAnswer('Paris', retrieved, 0.61).found).toBe(false);
    expect(judgeAnswer('Paris', retrieved, 0.6).found).toBe(true);
    // A not-found answer still names the passage it was guessed from.
    expect(judgeAnswer('Paris', retrieved, 0.9).source?.title).toBe('France');
  });

  it('without a threshold (a model other than the default) every answer is found; with nothing retrieved none is', () => {
    expect(judgeAnswer('Paris', [passage(1, 'x', 'y', 0.01)], undefined).found).toBe(true);
    expect(judgeAnswer('Paris', [], undefined)).toEqual({ found: false, source: undefined });
  });
});

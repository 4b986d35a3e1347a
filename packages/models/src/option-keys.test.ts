import { describe, expect, it } from 'vitest';
import { fixturePath, readReference } from '../../../test/fixture-files.js';
import { contextArgs } from '../../../test/generate-settings.js';
import { InvalidInputError, UnknownOptionError, UnsupportedOptionError } from './errors.js';
import { checkOptionKeys } from './option-keys.js';
import { loadRagComponents } from './pretrained.js';
import { RagModel } from './rag-model.js';
import { RagSequenceForGeneration } from './rag-sequence.js';
import { RagTokenForGeneration } from './rag-token.js';

/** The typed error `run` rejects or throws with. */
async function failure(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('checkOptionKeys', () => {
  const valid = { maxNewTokens: true, numBeams: true, progressCallback: true, signal: true } as const;

  it('suggests the camelCase option for a snake_case one, and the nearest for a typo', () => {
    for (const [given, suggestion] of [
      ['max_new_tokens', 'maxNewTokens'],
      ['progress_callback', 'progressCallback'],
      ['numBeam', 'numBeams'],
      ['num_beam', 'numBeams'],
      ['maxnewtokens', 'maxNewTokens'],
      ['maxTokens', 'maxNewTokens'],
    ] as const) {
      const err = (() => {
        try {
          checkOptionKeys('f', { [given]: 1 }, valid);
        } catch (e) {
          return e;
        }
      })();
      expect(err, given).toBeInstanceOf(UnknownOptionError);
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as UnknownOptionError).details).toEqual({ option: given, suggestion });
      expect((err as Error).message).toContain(`f: unknown option "${given}"; did you mean "${suggestion}"?`);
    }
  });

  it('lists the valid options when none is close, and names the unsupported reason when one is given', () => {
    expect(() => checkOptionKeys('f', { repetition_penalty: 1.2 }, valid)).toThrow('f: unknown option "repetition_penalty"; valid options: maxNewTokens, numBeams, progressCallback, signal');
    const unsupported = { doSample: 'sampling is not implemented here' };
    for (const key of ['doSample', 'do_sample']) {
      expect(() => checkOptionKeys('f', { [key]: true }, valid, unsupported)).toThrow(`f: "${key}" is not supported: sampling is not implemented here`);
      expect(() => checkOptionKeys('f', { [key]: true }, valid, unsupported)).toThrow(UnsupportedOptionError);
    }
  });

  it('passes valid keys, and keys given as undefined', () => {
    expect(() => checkOptionKeys('f', { numBeams: 2, signal: undefined, doSample: undefined }, valid)).not.toThrow();
  });
});

describe('fromPretrained: transformers.js option names are errors, not ignored', () => {
  const model = fixturePath('tiny-a/model');

  it('progress_callback, and a misspelt option, name the valid one', async () => {
    for (const load of [
      (options: object) => loadRagComponents(model, options),
      (options: object) => RagModel.fromPretrained(model, options),
      (options: object) => RagTokenForGeneration.fromPretrained(model, options),
      (options: object) => RagSequenceForGeneration.fromPretrained(model, options),
    ]) {
      const err = await failure(() => load({ device: 'wasm', cache: null, progress_callback: () => undefined }));
      expect(err).toBeInstanceOf(UnknownOptionError);
      expect((err as UnknownOptionError).details.suggestion).toBe('progressCallback');
      expect((err as Error).message).toMatch(/^fromPretrained: unknown option "progress_callback"; did you mean "progressCallback"\?/);
      expect(((await failure(() => load({ device: 'wasm', dtypes: 'q8' }))) as UnknownOptionError).details.suggestion).toBe('dtype');
    }
  });

  it('valid options load (retriever on the model classes only)', async () => {
    const events: unknown[] = [];
    const rag = await RagModel.fromPretrained(model, { device: 'wasm', cache: null, dtype: 'fp32', progressCallback: (e) => events.push(e), retriever: undefined, signal: new AbortController().signal });
    try {
      expect(rag.device).toBe('wasm');
      expect(events.length).toBeGreaterThan(0);
    } finally {
      await rag.dispose();
    }
    const err = await failure(() => loadRagComponents(model, { device: 'wasm', cache: null, retriever: {} } as object));
    expect((err as UnknownOptionError).details.option).toBe('retriever');
  });
});

describe('generate: transformers.js argument names are errors, not ignored (tiny-a, WASM in Node)', async () => {
  const rag = await RagModel.fromPretrained(fixturePath('tiny-a/model'), { device: 'wasm', cache: null });
  const [q] = readReference('tiny-a').per_question;
  const contexts = contextArgs(q!);
  const classes = [
    ['RagTokenForGeneration', (args: object) => new RagTokenForGeneration(rag).generate({ ...contexts, ...args })],
    ['RagSequenceForGeneration', (args: object) => new RagSequenceForGeneration(rag).generate({ ...contexts, ...args })],
  ] as const;

  for (const [name, generate] of classes) {
    it(`${name}: snake_case and misspelt arguments name the camelCase one`, async () => {
      for (const [given, suggestion] of [
        ['max_new_tokens', 'maxNewTokens'],
        ['num_beams', 'numBeams'],
        ['numBeam', 'numBeams'],
        ['no_repeat_ngram_size', 'noRepeatNgramSize'],
        ['max_length', 'maxLength'],
      ] as const) {
        const err = await failure(() => generate({ [given]: 3 }));
        expect(err, given).toBeInstanceOf(UnknownOptionError);
        expect((err as UnknownOptionError).details).toEqual({ option: given, suggestion });
        expect((err as Error).message).toContain(`${name}.generate: unknown option "${given}"; did you mean "${suggestion}"?`);
      }
    });

    it(`${name}: sampling arguments say sampling is not supported; min_new_tokens points to minLength`, async () => {
      for (const [key, value] of Object.entries({ doSample: true, do_sample: true, temperature: 0.7, topK: 50, top_k: 50, topP: 0.9, top_p: 0.9, typicalP: 0.9, minP: 0.1 })) {
        const err = await failure(() => generate({ [key]: value }));
        expect(err, key).toBeInstanceOf(UnsupportedOptionError);
        expect((err as Error).message).toBe(
          `${name}.generate: "${key}" is not supported: sampling is not implemented here; generate is greedy search (numBeams: 1) or beam search (numBeams > 1), both deterministic`,
        );
      }
      // Not "did you mean maxNewTokens?": transformers' min_new_tokens has its own answer.
      const err = await failure(() => generate({ min_new_tokens: 3 }));
      expect(err).toBeInstanceOf(UnsupportedOptionError);
      expect((err as Error).message).toContain('give minLength = min_new_tokens + 1 instead');
    });
  }

  it("each class's own arguments: onTokens on RAG-Token, doDeduplication on RAG-Sequence", async () => {
    const [[, token], [, sequence]] = classes;
    const tokens: number[][] = [];
    expect(await token({ numBeams: 1, maxLength: 6, onTokens: (t: number[]) => tokens.push(t) })).toHaveLength(1);
    expect(tokens.length).toBeGreaterThan(0);
    expect(await sequence({ numBeams: 2, numReturnSequences: 1, maxNewTokens: 4, doDeduplication: false })).toHaveLength(1);
    expect(await failure(() => token({ doDeduplication: false }))).toBeInstanceOf(UnknownOptionError);
    expect(await failure(() => sequence({ onTokens: () => undefined }))).toBeInstanceOf(UnknownOptionError);
  });
});

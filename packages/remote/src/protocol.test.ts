import { EmbeddingDimensionError, EmptyKnowledgeBaseError, NotEnoughPassagesError, RetrievalError, UnknownPassageError, type ScoredPassages } from '@rag-web/core';
import { describe, expect, it } from 'vitest';
import { randomFloats, seededRandom } from '../../../test/seeded-random.js';
import { MalformedRequestError, MalformedResponseError, RemoteRetrievalError, RemoteUnavailableError, RequestLimitError, RequestTooLargeError } from './errors.js';
import { encodeRetrieveRequest, encodeRetrieveResponse, errorResponse, parseHealthResponse, parseRetrieveRequest, parseRetrieveResponse, rebuildError } from './protocol.js';

const LIMITS = { dimension: 4, maxDocs: 10, maxBatch: 3 };
const overTheWire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** Float32 values that a decimal round trip could get wrong: extremes, subnormals, values near ties. */
function hardFloats(n: number): Float32Array {
  const values = randomFloats(seededRandom(7), n, -1e3, 1e3);
  const hard = [3.4028234663852886e38, -3.4028234663852886e38, 1.401298464324817e-45, 1.1754942106924411e-38, 0.1, 1 / 3, 16777217, 2 ** -126];
  values.set(hard.slice(0, n));
  return values;
}

function scored(batch: number, nDocs: number, d: number): ScoredPassages {
  const embeddings = hardFloats(batch * nDocs * d);
  return {
    ids: Int32Array.from({ length: batch * nDocs }, (_, i) => 1000 + i),
    scores: hardFloats(batch * nDocs).reverse(),
    passages: Array.from({ length: batch * nDocs }, (_, i) => ({ id: 1000 + i, title: `T${i}`, text: `x ${i}`, embedding: embeddings.slice(i * d, (i + 1) * d) })),
  };
}

describe('the wire format', () => {
  it('question vectors cross as JSON numbers and come back bit for bit (float32 exact)', () => {
    const queries = hardFloats(3 * 4);
    const { queries: back, batch, nDocs } = parseRetrieveRequest(overTheWire(encodeRetrieveRequest(queries, 4, 5)), LIMITS);
    expect(batch).toBe(3);
    expect(nDocs).toBe(5);
    expect(new Uint32Array(back.buffer)).toEqual(new Uint32Array(queries.buffer));
  });

  it('a reply crosses back into the same ScoredPassages: ids, float32 scores and embeddings exact', () => {
    const sent = scored(2, 3, 4);
    const wire = overTheWire(encodeRetrieveResponse({ name: 'kb', dimension: 4 }, sent, 2, 3)) as Record<string, unknown>;
    expect(wire).toMatchObject({ name: 'kb', dimension: 4, docIds: [[1000, 1001, 1002], [1003, 1004, 1005]] });
    const back = parseRetrieveResponse(wire, { dimension: 4, batch: 2, nDocs: 3 });
    expect(back).toEqual(sent);
    for (const [i, p] of back.passages.entries()) expect(new Uint32Array(p.embedding.buffer)).toEqual(new Uint32Array(sent.passages[i]!.embedding.buffer));
  });

  it.each([
    ['not an object', [1, 2]],
    ['no nDocs', { questionHiddenStates: [[1, 2, 3, 4]] }],
    ['nDocs 0', { questionHiddenStates: [[1, 2, 3, 4]], nDocs: 0 }],
    ['nDocs 1.5', { questionHiddenStates: [[1, 2, 3, 4]], nDocs: 1.5 }],
    ['nDocs as a string', { questionHiddenStates: [[1, 2, 3, 4]], nDocs: '2' }],
    ['no question', { questionHiddenStates: [], nDocs: 1 }],
    ['a flat vector', { questionHiddenStates: [1, 2, 3, 4], nDocs: 1 }],
    ['a string value', { questionHiddenStates: [[1, 2, '3', 4]], nDocs: 1 }],
    ['a null value', { questionHiddenStates: [[1, 2, null, 4]], nDocs: 1 }],
    ['a value beyond float32', { questionHiddenStates: [[1, 2, 1e39, 4]], nDocs: 1 }],
  ])('a request with %s is a MalformedRequestError', (_what, body) => {
    expect(() => parseRetrieveRequest(body, LIMITS)).toThrow(MalformedRequestError);
  });

  it('a message never echoes a large value back', () => {
    expect(() => parseRetrieveRequest({ questionHiddenStates: [[1, 2, 3, 4]], nDocs: 'x'.repeat(100_000) }, LIMITS)).toThrow(/^POST \/retrieve: nDocs must be an integer ≥ 1, got "x{39}…$/);
  });

  it('limits: nDocs above maxDocs and batch above maxBatch are RequestLimitErrors naming the limit', () => {
    const row = [1, 2, 3, 4];
    expect(() => parseRetrieveRequest({ questionHiddenStates: [row], nDocs: 11 }, LIMITS)).toThrow(expect.objectContaining({ name: 'RequestLimitError', limit: 'maxDocs', allowed: 10, requested: 11 }));
    expect(() => parseRetrieveRequest({ questionHiddenStates: [row, row, row, row], nDocs: 1 }, LIMITS)).toThrow(
      expect.objectContaining({ name: 'RequestLimitError', limit: 'maxBatch', allowed: 3, requested: 4 }),
    );
    expect(() => parseRetrieveRequest({ questionHiddenStates: [row, row, row], nDocs: 10 }, LIMITS)).not.toThrow();
  });

  it('a row of another width is an EmbeddingDimensionError naming both widths', () => {
    const err = (() => {
      try {
        parseRetrieveRequest({ questionHiddenStates: [[1, 2, 3, 4], [1, 2, 3]], nDocs: 1 }, LIMITS);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(EmbeddingDimensionError);
    expect(err).toMatchObject({ expected: 4, actual: 3 });
    expect((err as Error).message).toMatch(/dimension 3.*dimension 4/);
  });

  it.each([
    ['a dimension other than asked', (w: Record<string, unknown>) => (w.dimension = 5)],
    ['fewer rows', (w: Record<string, unknown>) => (w.docIds = [[1000, 1001, 1002]])],
    ['a short embedding', (w: Record<string, unknown>) => ((w.retrievedDocEmbeds as number[][][])[1]![2] = [1, 2, 3])],
    ['a doc id that is not an integer', (w: Record<string, unknown>) => ((w.docIds as number[][])[0]![0] = 0.5)],
    ['a doc whose id is not its docIds entry', (w: Record<string, unknown>) => ((w.docs as Array<Array<{ id: number }>>)[0]![1]!.id = 7)],
    ['a title that is not a string', (w: Record<string, unknown>) => ((w.docs as Array<Array<{ title: unknown }>>)[0]![1]!.title = null)],
    ['a score that is not a number', (w: Record<string, unknown>) => ((w.docScores as unknown[][])[0]![0] = 'high')],
  ])('a reply with %s is a MalformedResponseError', (_what, spoil) => {
    const wire = overTheWire(encodeRetrieveResponse({ name: 'kb', dimension: 4 }, scored(2, 3, 4), 2, 3)) as Record<string, unknown>;
    spoil(wire);
    expect(() => parseRetrieveResponse(wire, { dimension: 4, batch: 2, nDocs: 3 })).toThrow(MalformedResponseError);
  });

  it('health replies are checked field by field', () => {
    const health = { status: 'ok', name: 'kb', dimension: 4, count: 0, maxDocs: 10, maxBatch: 3 };
    expect(parseHealthResponse(health)).toEqual(health);
    expect(() => parseHealthResponse({ ...health, status: 'down' })).toThrow(MalformedResponseError);
    expect(() => parseHealthResponse({ ...health, dimension: '4' })).toThrow(MalformedResponseError);
    expect(() => parseHealthResponse('ok')).toThrow(MalformedResponseError);
  });
});

describe('errors over the wire', () => {
  const URL = 'http://127.0.0.1:1';

  it.each([
    [new NotEnoughPassagesError(20, 3), NotEnoughPassagesError, { requested: 20, available: 3 }],
    [new EmbeddingDimensionError(32, 16, 'q'), EmbeddingDimensionError, { expected: 32, actual: 16 }],
    [new EmptyKnowledgeBaseError('kb'), EmptyKnowledgeBaseError, {}],
    [new UnknownPassageError(5, 'kb'), UnknownPassageError, { id: 5 }],
    [new RequestLimitError('maxDocs', 100, 101), RequestLimitError, { limit: 'maxDocs', allowed: 100, requested: 101 }],
    [new RequestTooLargeError(10, 11), RequestTooLargeError, { limit: 10, received: 11 }],
    [new MalformedRequestError('bad', { reason: 'bad' }), MalformedRequestError, {}],
  ])('%s is rebuilt as the same class, message, details and fields', (sent, cls, fields) => {
    const back = rebuildError(overTheWire(errorResponse(sent)), 422, URL);
    expect(back).toBeInstanceOf(cls);
    expect(back).toBeInstanceOf(RetrievalError);
    expect(back).toMatchObject({ name: sent.name, message: sent.message, details: sent.details, ...fields });
  });

  it('an unknown name is a RemoteRetrievalError naming it; with 503, a RemoteUnavailableError', () => {
    const body = overTheWire(errorResponse(Object.assign(new Error('no such table'), { name: 'DatabaseError' })));
    const other = rebuildError(body, 500, URL);
    expect(other.constructor).toBe(RemoteRetrievalError);
    expect(other).toMatchObject({ details: { remoteName: 'DatabaseError', status: 500, url: URL } });
    const down = rebuildError(body, 503, URL);
    expect(down).toBeInstanceOf(RemoteUnavailableError);
    expect(down).toMatchObject({ remoteName: 'DatabaseError', status: 503, url: URL });
    expect(down.message).toContain('no such table');
    // Names of Object.prototype are not classes.
    expect(rebuildError({ error: { name: 'constructor', message: 'm', details: {} } }, 400, URL).constructor).toBe(RemoteRetrievalError);
  });

  it('an error body that is not one of ours is a RemoteUnavailableError with the status', () => {
    expect(rebuildError({ message: 'Not Found' }, 404, URL)).toMatchObject({ name: 'RemoteUnavailableError', status: 404, url: URL });
  });

  it('error replies never carry a stack; details only of our typed errors', () => {
    const body = errorResponse(Object.assign(new Error('boom'), { details: { secret: 1 } }));
    expect(body).toEqual({ error: { name: 'Error', message: 'boom', details: {} } });
  });
});

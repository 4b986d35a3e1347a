// Plain node:http requests for the server tests: fetch may not set Origin, nor stream a body that
// the server refuses halfway.
import { request, type IncomingHttpHeaders } from 'node:http';
import type { PassageSource, ScoredPassages } from '@rag-web/core';

export interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body as JSON; undefined when it is not. */
  json: unknown;
}

export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A source over a fixed list of passages, exact inner products, ties to the lower id: for crafted passages and failures. */
export function listSource(name: string, passages: Array<{ title: string; text: string; embedding: number[] }>): PassageSource & { dimension: number } {
  const dimension = passages[0]?.embedding.length ?? 2;
  return {
    name,
    dimension,
    count: async () => passages.length,
    async topPassages(queries: Float32Array, k: number): Promise<ScoredPassages> {
      const batch = queries.length / dimension;
      const out: ScoredPassages = { ids: new Int32Array(batch * k), scores: new Float32Array(batch * k), passages: [] };
      for (let q = 0; q < batch; q++) {
        const ranked = passages
          .map((p, id) => ({ id, score: Math.fround(p.embedding.reduce((s, v, j) => s + v * queries[q * dimension + j]!, 0)) }))
          .sort((a, b) => b.score - a.score || a.id - b.id)
          .slice(0, k);
        ranked.forEach((r, z) => {
          out.ids[q * k + z] = r.id;
          out.scores[q * k + z] = r.score;
          const p = passages[r.id]!;
          out.passages.push({ id: r.id, title: p.title, text: p.text, embedding: Float32Array.from(p.embedding) });
        });
      }
      return out;
    },
  };
}

import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

/** The modules the `.` entry loads (relative imports followed from index.ts) and what each imports from outside. */
function importGraph(file: string, seen = new Map<string, string[]>()): Map<string, string[]> {
  if (seen.has(file)) return seen;
  const specifiers = [...readFileSync(new URL(file, import.meta.url), 'utf8').matchAll(/^(?:import|export)\b[^;]*?from '([^']+)'/gm)].map((m) => m[1]!);
  seen.set(file, specifiers.filter((s) => !s.startsWith('.')));
  for (const s of specifiers.filter((s) => s.startsWith('./'))) importGraph(s.replace(/\.js$/, '.ts'), seen);
  return seen;
}

it("the browser entry (index.ts) imports no node: module, only @rag-web/core; the server entry is the one that does", () => {
  const browser = importGraph('./index.ts');
  expect([...browser.keys()].sort()).toEqual(['./errors.ts', './index.ts', './protocol.ts', './remote-retriever.ts']);
  expect(new Set([...browser.values()].flat())).toEqual(new Set(['@rag-web/core']));
  expect(importGraph('./server.ts').get('./server.ts')).toEqual(['node:http', 'node:net', '@rag-web/core']);
});

import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

// The README's first example is the code of the app e2e/npm-install.spec.ts packs, installs with
// npm, builds and asks: it cannot drift from what is tested.
it("the README's first code example is the consumer app's model code, in ten lines or fewer", () => {
  const first = /```(?:js|ts)\n([\s\S]*?)```/.exec(read('README.md').slice(read('README.md').indexOf('## Quick start')))![1]!;
  const app = read('e2e/consumer-app/src/answer.js')
    .split('\n')
    .filter((line) => !line.startsWith('//'))
    .join('\n');
  expect(first).toBe(app);
  expect(first.trim().split('\n').length).toBeLessThanOrEqual(10);
});

import { expect, test, type Page } from '@playwright/test';
import { openDemo, SLOW, TINY_A } from './demo-page.js';

// Two tabs add documents to one knowledge base at the same moment: the knowledge base's write
// lock (Web Locks, across the tabs' workers) makes the second wait for the first, which it then
// reads — all 400 passages are there afterwards, none lost.
test('two tabs ingest 200 passages each into one knowledge base at once: all 400 are stored @no-webgpu', async ({ page, context }) => {
  test.slow();
  const second = await context.newPage();
  await Promise.all([openDemo(page, TINY_A), openDemo(second, TINY_A)]);
  const words = (tab: string) => Array.from({ length: 20_000 }, (_, i) => `${tab}${i % 499}`).join(' ');
  const start = async (p: Page, tab: string) => {
    await p.getByTestId('doc-target').fill('shared');
    await p.getByTestId('doc-title').fill(`Tab ${tab}`);
    await p.getByTestId('doc-text').fill(words(tab));
  };
  await Promise.all([start(page, 'first'), start(second, 'second')]);
  await Promise.all([page.getByTestId('add-docs').click(), second.getByTestId('add-docs').click()]);
  for (const p of [page, second]) {
    await expect(p.getByTestId('ingest-label')).toHaveText('200 / 200 passages embedded and stored', SLOW);
    await expect(p.getByTestId('error')).toBeHidden();
  }
  // A fresh look at what is stored (a reload reads the committed manifest).
  await page.reload();
  await expect(page.getByTestId('ask')).toBeEnabled(SLOW);
  await expect(page.locator('[data-kb="shared"] [data-testid=kb-count]')).toHaveText('400');
  await second.close();
});

import { expect, test } from '@playwright/test';
import { ask, openDemo, referenceQuestion, SLOW, TINY_A, waitForModel } from './demo-page.js';

// After one visit the service worker has the app shell, Cache Storage the model files and
// IndexedDB the passages: with the network off, a reload still loads and answers.

test('with the network off, a reload still answers', async ({ page, context }) => {
  await openDemo(page, TINY_A);
  await expect(page.getByTestId('offline')).toHaveText(/^ready/, SLOW);
  const first = referenceQuestion('what is del');
  await ask(page, first.question);
  await expect(page.getByTestId('answer')).toHaveText(first.generate_text.token_greedy_len12![0]!);

  await context.setOffline(true);
  await page.reload();
  await waitForModel(page);
  // The network really is off: a file the service worker does not keep cannot be fetched.
  const probe = await page.evaluate(() => fetch(`/models/tiny-a/config.json?probe=${Date.now()}`).then(() => 'fetched', () => 'failed'));
  expect(probe).toBe('failed');
  await expect(page.getByTestId('model-files')).toContainText('(from cache)');
  await expect(page.getByTestId('model-files')).not.toContainText('(downloaded)');

  const second = referenceQuestion('what is if');
  await ask(page, second.question);
  await expect(page.getByTestId('answer')).toHaveText(second.generate_text.token_greedy_len12![0]!);
  await expect(page.getByTestId('passage')).toHaveCount(second.doc_ids.length);
  await page.screenshot({ path: 'artifacts/e2e/answered-offline.png', fullPage: true });
});

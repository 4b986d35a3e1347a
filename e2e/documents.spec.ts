import { expect, test } from '@playwright/test';
import { addDocument, ask, openDemo, passageTitles } from './demo-page.js';

// "Add your documents": pasted text is split, embedded by the model's context encoder, stored in
// IndexedDB and indexed, then retrieved like the bundled passages.

test('a pasted document joins the bundled knowledge base and is retrieved for a question about it', async ({ page }) => {
  await openDemo(page);
  await expect(page.locator('[data-kb="tiny-a"] [data-testid=kb-count]')).toHaveText('259');
  await addDocument(page, {
    target: 'tiny-a',
    title: 'Zorblax',
    text: 'Zorblax is a made-up fruit grown on the moons of Quentaris. The zorblax tastes like lemon and glows blue at night.',
  });
  await expect(page.getByTestId('ingest-label')).toHaveText('1 / 1 passages embedded and stored');
  await expect(page.locator('[data-kb="tiny-a"] [data-testid=kb-count]')).toHaveText('260');
  await expect(page.getByTestId('kb-select')).toHaveValue('tiny-a');

  await ask(page, 'what is the zorblax fruit of quentaris');
  // Retrieved among 260 passages by the tiny DPR encoders, and the most probable one.
  expect((await passageTitles(page))[0]).toBe('Zorblax');
  await expect(page.getByTestId('passage-text').first()).toContainText('moons of Quentaris');
});

test('a passage holding HTML shows as text and runs nothing', async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const imageRequests: string[] = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'image') imageRequests.push(r.url());
  });
  const payload = '<img src=x onerror="window.__xss = 1; alert(1)">';
  const title = '<b>Quentaris</b><script>window.__xss = 2</script>';
  await openDemo(page);
  await addDocument(page, { target: 'untrusted', title, text: `Zorblax notes: ${payload} and then some plain words.` });
  // The new knowledge base is the one asked from now; it holds one passage, so n_docs becomes 1.
  await expect(page.getByTestId('kb-select')).toHaveValue('untrusted');
  await ask(page, 'what is zorblax');

  const passage = page.getByTestId('passage');
  await expect(passage).toHaveCount(1);
  await expect(page.getByTestId('passage-text')).toHaveText(`Zorblax notes: ${payload} and then some plain words.`);
  await expect(page.getByTestId('passage-title')).toHaveText(title);
  await expect(page.getByTestId('passage-text')).toBeVisible();
  expect(await page.locator('main img, main script, main b').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(dialogs).toEqual([]);
  expect(imageRequests).toEqual([]);
});

test('documents from files and pasted text go into a new knowledge base, which can be deleted @no-webgpu', async ({ page }) => {
  await openDemo(page);
  const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');
  const jsonl = [{ title: 'Fact one', text: 'The first fact.' }, { title: 'Fact two', text: words(120) }].map((r) => JSON.stringify(r)).join('\n');
  await page.getByTestId('doc-files').setInputFiles([
    { name: 'notes.md', mimeType: 'text/markdown', buffer: Buffer.from(`# Notes\n\n${words(250)}`) },
    { name: 'facts.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(jsonl) },
  ]);
  await addDocument(page, { target: 'notes', title: 'Pasted', text: words(30) });
  // 30 pasted words → 1 passage; notes.md (252 words) → 3; facts.jsonl → 1 + 2 (120 words).
  await expect(page.getByTestId('ingest-label')).toHaveText('7 / 7 passages embedded and stored');
  await expect(page.getByTestId('kb-row')).toHaveCount(2);
  await expect(page.locator('[data-kb="notes"] [data-testid=kb-count]')).toHaveText('7');

  page.once('dialog', (d) => void d.accept());
  await page.locator('[data-kb="notes"] [data-testid=kb-delete]').click();
  await expect(page.locator('[data-kb="notes"]')).toHaveCount(0);
  await expect(page.getByTestId('kb-row')).toHaveCount(1);
  await expect(page.getByTestId('kb-select')).toHaveValue('tiny-a');
  // Gone from IndexedDB too, not only from the list.
  const names = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  expect(names).not.toContain('rag-web-kb:notes');
  expect(names).toContain('rag-web-kb:tiny-a');
});

import { expect, test } from '@playwright/test';
import { addDocument, ask, findPassages, openDemo, passageTitles, SLOW, TINY_A } from './demo-page.js';

// "Add your documents": pasted text is split, embedded by the model's context encoder, stored in
// IndexedDB and indexed, then retrieved like the bundled passages.

test('a pasted document joins the bundled knowledge base and is retrieved for a question about it', async ({ page }) => {
  await openDemo(page, TINY_A);
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
  await openDemo(page, TINY_A);
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
  await openDemo(page, TINY_A);
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

test('a passage looked up by title is edited (a new doc id, the old one gone) and deleted, and questions see it @no-webgpu', async ({ page }) => {
  await openDemo(page, TINY_A);
  const count = page.locator('[data-kb="tiny-a"] [data-testid=kb-count]');
  // A title prefix, case-insensitively: tiny-a's two passages titled "assert", doc ids 0 and 1.
  await page.getByTestId('passage-search').fill('ASSE');
  await page.getByTestId('passage-find').click();
  await expect(page.getByTestId('passage-status')).toHaveText('2 passages in "tiny-a".');
  await expect(page.getByTestId('passage-result-title')).toHaveText(['assert', 'assert']);

  const first = page.locator('[data-testid=passage-result][data-doc-id="0"]');
  await first.getByTestId('passage-edit-text').fill('The assert statement, edited in the page.');
  await first.getByTestId('passage-save').click();
  await expect(page.getByTestId('passage-status')).toHaveText('Saved "assert": it is now doc 259 (doc 0 is removed).');
  await expect(count).toHaveText('259');
  const afterEdit = await findPassages(page, 'assert');
  expect(await afterEdit.evaluateAll((els) => els.map((e) => e.getAttribute('data-doc-id')))).toEqual(['1', '259']);
  await expect(afterEdit.last().getByTestId('passage-edit-text')).toHaveValue('The assert statement, edited in the page.');

  page.once('dialog', (d) => void d.accept());
  await afterEdit.last().getByTestId('passage-delete').click();
  await expect(page.getByTestId('passage-status')).toHaveText('Deleted "assert" (doc 259).');
  await expect(count).toHaveText('258');
  await expect(await findPassages(page, 'assert')).toHaveCount(1);

  await ask(page, 'what is assert');
  const docIds = await page.getByTestId('passage').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-doc-id'))));
  expect(docIds).not.toContain(0);
  expect(docIds).not.toContain(259);
  // tiny-a has no measured threshold: its answers are never called "not found".
  await expect(page.getByTestId('not-found')).toBeHidden();
  await expect(page.getByTestId('answer-source')).toContainText('Source: ');
});

test('what an interrupted ingest into a new knowledge base left is listed as unfinished and can be deleted @no-webgpu', async ({ page }) => {
  await openDemo(page, TINY_A);
  // The records a tab closed mid-ingest leaves (retriever's PassageStore): 4 passages and the
  // checkpoint, no manifest yet — written the way IdbBackend writes them (idb-keyval store "kb").
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('rag-web-kb:leftover');
      req.onupgradeneeded = () => req.result.createObjectStore('kb');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const tx = db.transaction('kb', 'readwrite');
    const store = tx.objectStore('kb');
    for (let id = 0; id < 4; id++) store.put({ id, title: `t${id}`, text: `passage ${id}`, embedding: new Float32Array(32) }, id);
    store.put({ fingerprint: 'f', modelId: '/models/tiny-a', startId: 0, total: 10, done: 4, checksum: '0000000000000000' }, 'ingest-checkpoint');
    await new Promise((resolve, reject) => ((tx.oncomplete = resolve), (tx.onerror = () => reject(tx.error))));
    db.close();
  });
  await page.reload();
  await expect(page.getByTestId('ask')).toBeEnabled({ timeout: 60_000 });
  const row = page.locator('[data-kb="leftover"]');
  await expect(row.getByTestId('kb-unfinished')).toContainText('unfinished ingest: 4 passages stored, none live');
  // Nothing to ask from: not offered as the knowledge base of a question.
  await expect(page.locator('[data-testid=kb-select] option[value="leftover"]')).toHaveCount(0);
  page.once('dialog', (d) => void d.accept());
  await row.getByTestId('kb-delete').click();
  await expect(row).toHaveCount(0);
  const names = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  expect(names).not.toContain('rag-web-kb:leftover');
});

test('a long ingest can be stopped; adding the same document again resumes it and nothing is lost @no-webgpu', async ({ page }) => {
  await openDemo(page, TINY_A);
  // 100,000 words: 1,000 passages, many embedder batches.
  const text = Array.from({ length: 100_000 }, (_, i) => `word${i % 997}`).join(' ');
  const fill = async () => {
    await page.getByTestId('doc-target').fill('long');
    await page.getByTestId('doc-title').fill('Long');
    await page.getByTestId('doc-text').fill(text);
  };
  await fill();
  await page.getByTestId('add-docs').click();
  await expect(page.getByTestId('ingest-label')).toHaveText(/^\d+ \/ 1000 passages/, SLOW);
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('ingest-label')).toHaveText(/^Stopped: nothing was added yet/, SLOW);
  await expect(page.getByTestId('error')).toBeHidden();
  await expect(page.locator('[data-kb="long"] [data-testid=kb-unfinished]')).toContainText('unfinished ingest');

  await fill();
  await page.getByTestId('add-docs').click();
  await expect(page.getByTestId('ingest-label')).toHaveText('1000 / 1000 passages embedded and stored', SLOW);
  await expect(page.locator('[data-kb="long"] [data-testid=kb-count]')).toHaveText('1000');
  await expect(page.locator('[data-kb="long"] [data-testid=kb-unfinished]')).toHaveCount(0);
});

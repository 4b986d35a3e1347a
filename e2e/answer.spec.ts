import { expect, test } from '@playwright/test';
import { ask, openDemo, passageTitles, referenceQuestion, TINY_A, writeArtifact } from './demo-page.js';

// Ask → answer with provenance, on WebGPU (SwiftShader) and with WebGPU disabled (WASM). The
// tiny fixture model was trained on these questions; RAG-Token greedy with max length 12 must
// give exactly transformers' text (fixtures/tiny-a/reference.json, token_greedy_len12), from the
// passages transformers retrieved.
const backends = [
  { backend: 'webgpu', tag: '' },
  { backend: 'wasm', tag: ' @no-webgpu' },
] as const;

for (const { backend, tag } of backends) {
  test(`a fixture question gets the reference answer, streamed, with its passages (${backend})${tag}`, async ({ page }, info) => {
    const q = referenceQuestion('what is del');
    await openDemo(page, `${TINY_A}&device=${backend}`);
    await expect(page.getByTestId('backend')).toHaveText(backend);

    // Record every text the answer shows while it streams.
    await page.evaluate(() => {
      const el = document.querySelector('[data-testid=answer]')!;
      const seen: string[] = [];
      (window as unknown as { answerTexts: string[] }).answerTexts = seen;
      new MutationObserver(() => seen.push(el.textContent ?? '')).observe(el, { childList: true, characterData: true, subtree: true });
    });
    await ask(page, q.question);

    const expected = q.generate_text.token_greedy_len12![0]!;
    await expect(page.getByTestId('answer')).toHaveText(expected);
    const texts = await page.evaluate(() => (window as unknown as { answerTexts: string[] }).answerTexts);
    const partial = [...new Set(texts)].filter((t) => t !== '' && t !== expected);
    expect(partial.length, `streamed steps: ${JSON.stringify(texts)}`).toBeGreaterThanOrEqual(3);
    for (const t of partial) expect(expected.startsWith(t), `"${t}" is a prefix of the answer`).toBe(true);

    // Provenance: transformers' passages, in its order, with probabilities that sum to 1.
    const passages = page.getByTestId('passage');
    await expect(passages).toHaveCount(q.doc_ids.length);
    const docIds = await passages.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-doc-id'))));
    expect(docIds).toEqual(q.doc_ids);
    expect((await passageTitles(page))[0]).toBe('del');
    const percents = (await page.getByTestId('passage-probability').allTextContents()).map((t) => Number.parseFloat(t));
    expect(Math.abs(percents.reduce((a, b) => a + b, 0) - 100)).toBeLessThan(0.5);
    await expect(page.getByTestId('answer-meta')).toContainText(`streamed on ${backend}`);

    await page.screenshot({ path: `artifacts/e2e/answered-${backend}.png`, fullPage: true });

    // Page load (navigation start) → first answer, from the page's own user-timing marks.
    const marks = await page.evaluate(() =>
      Object.fromEntries(['rag:model-ready', 'rag:first-token', 'rag:first-answer'].map((n) => [n, performance.getEntriesByName(n)[0]?.startTime ?? null])),
    );
    const timing = {
      backend,
      project: info.project.name,
      question: q.question,
      answer: expected,
      modelReadyMs: Math.round(marks['rag:model-ready']!),
      firstTokenMs: Math.round(marks['rag:first-token']!),
      firstAnswerMs: Math.round(marks['rag:first-answer']!),
    };
    expect(timing.firstAnswerMs).toBeGreaterThan(timing.modelReadyMs);
    const path = writeArtifact(`first-answer-${backend}.json`, timing);
    info.annotations.push({ type: 'page load → first answer', description: `${backend}: ${(timing.firstAnswerMs / 1000).toFixed(2)} s (${path})` });
    process.stdout.write(`[timing] ${backend}: page load → model ready ${timing.modelReadyMs} ms, first token ${timing.firstTokenMs} ms, first answer ${timing.firstAnswerMs} ms\n`);
  });
}

test('RAG-Sequence with beam search gives the reference answer @no-webgpu', async ({ page }) => {
  const q = referenceQuestion('what is if');
  await openDemo(page, TINY_A);
  await page.getByTestId('variant-sequence').check();
  await page.getByTestId('beams').fill('2');
  await page.getByTestId('max-length').fill('10');
  await ask(page, q.question);
  await expect(page.getByTestId('answer')).toHaveText(q.generate_text.seq_beam2_ret1_len10![0]!);
  await expect(page.getByTestId('answer-meta')).toHaveText(/^generated on wasm from 4 passages/);
});

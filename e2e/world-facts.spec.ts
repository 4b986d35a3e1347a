import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { DEFAULT_MODEL } from '../demo/src/default-model.js';
import { ask, findPassages, openDemo, passageTitles, SLOW } from './demo-page.js';

// The default model (world-facts; q8, as `auto` picks on WASM) on WASM with its bundled knowledge base: a factual
// question answered with its source passage; the answer follows an edit of that passage and
// goes with its deletion; the example questions ask themselves.

const QUESTION = 'what is the capital of France?';
const kbCount = `[data-kb="${DEFAULT_MODEL.knowledgeBase.name}"] [data-testid=kb-count]`;

test('the default model and its knowledge base are served by the app; the knowledge base was embedded by that model', async ({ request }) => {
  // q8 for WASM, fp32 for WebGPU (the dtype `auto` picks), each with one merged decoder.
  for (const file of ['config.json', 'onnx/question_encoder_quantized.onnx', 'onnx/ctx_encoder_quantized.onnx', 'onnx/decoder_model_merged_quantized.onnx', 'onnx/decoder_model_merged.onnx']) {
    const res = await request.get(`${DEFAULT_MODEL.modelUrl}/${file}`);
    expect(res.status(), file).toBe(200);
    expect(res.headers()['content-type'], file).not.toMatch(/html/);
  }
  const manifest = (await (await request.get(`${DEFAULT_MODEL.knowledgeBase.url}manifest.json`)).json()) as { modelId: string };
  // Else the retriever refuses passages this model's context encoder embeds (edits, added documents).
  expect(manifest.modelId).toBe(DEFAULT_MODEL.modelUrl);
});

test('a fact is answered from its passage; editing the passage changes the answer, deleting it takes the answer away @no-webgpu', async ({ page }) => {
  test.slow(); // three questions and one passage embedded on WASM
  await openDemo(page, '?device=wasm');
  await expect(page.getByTestId('backend')).toHaveText('wasm');
  await expect(page.getByTestId('model-progress-label')).toContainText('(q8)');
  await expect(page.getByTestId('kb-select')).toHaveValue(DEFAULT_MODEL.knowledgeBase.name);

  await ask(page, QUESTION);
  await expect(page.getByTestId('answer')).toContainText('Paris');
  await expect(page.getByTestId('not-found')).toBeHidden();
  await expect(page.getByTestId('answer-source-title')).toHaveText('France');

  // Edit: the France passage now says its capital is Lyon.
  const france = await findPassages(page, 'France');
  await expect(france).toHaveCount(1);
  const original = await france.getByTestId('passage-edit-text').inputValue();
  expect(original).toContain('Paris');
  await france.getByTestId('passage-edit-text').fill(original.replaceAll('Paris', 'Lyon'));
  await france.getByTestId('passage-save').click();
  await expect(page.getByTestId('passage-status')).toHaveText(/^Saved "France"/, SLOW);
  await expect(page.getByTestId('error')).toBeHidden();

  await ask(page, QUESTION);
  // The answer follows the passage, copied whole: the default model decodes by copying spans of
  // the retrieved passages (free decoding writes only "Ly" of a capital it never trained on).
  await expect(page.getByTestId('decoding')).toHaveValue(DEFAULT_MODEL.decoding);
  await expect(page.getByTestId('answer')).toHaveText('Lyon');
  await expect(page.getByTestId('answer-source-title')).toHaveText('France');

  // Delete: the (edited) France passage goes from the knowledge base.
  const before = Number(await page.locator(kbCount).textContent());
  const edited = await findPassages(page, 'France');
  await expect(edited).toHaveCount(1);
  await expect(edited.getByTestId('passage-edit-text')).toHaveValue(/Lyon/);
  page.once('dialog', (d) => void d.accept());
  await edited.getByTestId('passage-delete').click();
  await expect(page.getByTestId('passage-status')).toHaveText(/^Deleted "France"/, SLOW);
  await expect(page.locator(kbCount)).toHaveText(String(before - 1));

  await ask(page, QUESTION);
  await expect(page.getByTestId('answer')).not.toContainText('Lyon');
  // The passage is gone from retrieval: the answer (or, when not found, the guess) comes from another one.
  expect(await passageTitles(page)).not.toContain('France');
  await expect(page.getByTestId('answer-source-title')).not.toHaveText('France');
});

// Screenshots of the first screen and of an answer on each backend (artifacts/ is not committed;
// every e2e run leaves fresh ones).
const screenshots = new URL('../artifacts/screenshots/', import.meta.url);

for (const [backend, tag] of [['webgpu', ''], ['wasm', ' @no-webgpu']] as const) {
  test(`an example question under the question box asks itself and gets an answer on ${backend}${tag}`, async ({ page }) => {
    test.slow(); // SwiftShader runs WebGPU on the CPU
    await openDemo(page, `?device=${backend}`);
    await expect(page.getByTestId('backend')).toHaveText(backend);
    // `auto` weights: WebGPU runs the fp32 graphs whole (q8's MatMulInteger would run on the CPU).
    await expect(page.getByTestId('model-progress-label')).toContainText(backend === 'webgpu' ? '(fp32)' : '(q8)');
    await expect(page.getByTestId('model-description')).toHaveText(DEFAULT_MODEL.description);
    const examples = page.getByTestId('example-question');
    await expect(examples).toHaveCount(DEFAULT_MODEL.examples.length);
    // The bundled knowledge base is stored in IndexedDB: the page says how much the origin holds.
    await expect(page.getByTestId('storage-estimate')).toHaveText(/^Storage: \d+\.\d MB used of \d+\.\d MB available to this page/);
    await page.screenshot({ path: fileURLToPath(new URL(`world-facts-first-screen-${backend}.png`, screenshots)), fullPage: true });

    const example = DEFAULT_MODEL.examples[1]!;
    await examples.filter({ hasText: example }).click();
    await expect(page.getByTestId('question')).toHaveValue(example);
    await expect(page.getByTestId('answer')).toHaveAttribute('data-state', 'done', SLOW);
    await expect(page.getByTestId('error')).toBeHidden();
    await expect(page.getByTestId('answer')).not.toBeEmpty();
    await expect(page.getByTestId('answer-source-title')).not.toBeEmpty();
    await page.screenshot({ path: fileURLToPath(new URL(`world-facts-answer-${backend}.png`, screenshots)), fullPage: true });
  });
}

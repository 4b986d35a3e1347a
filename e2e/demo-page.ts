import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { expect, type Locator, type Page } from '@playwright/test';

// What the e2e tests do on the demo page, in one place. The page is driven through its
// data-testid hooks only.

/** SwiftShader runs WebGPU on the CPU of a shared 2-core machine: loads and answers take seconds. */
export const SLOW = { timeout: 90_000 };

export const artifacts = new URL('../artifacts/e2e/', import.meta.url);

interface ReferenceQuestion {
  question: string;
  doc_ids: number[];
  generate_text: Record<string, string[]>;
}

/** A tiny-a reference question with its transformers values (fixtures/tiny-a/reference.json). */
export function referenceQuestion(question: string): ReferenceQuestion {
  const ref = JSON.parse(readFileSync(new URL('../fixtures/tiny-a/reference.json', import.meta.url), 'utf8')) as { per_question: ReferenceQuestion[] };
  const q = ref.per_question.find((p) => p.question === question);
  if (!q) throw new Error(`"${question}" is not a tiny-a reference question`);
  return q;
}

/**
 * The query that loads the tiny-a parity fixture (fp32, as its reference values were computed)
 * instead of the default model: the tests that compare with transformers use it.
 */
export const TINY_A = '?model=/models/tiny-a&dtype=fp32';

/** Opens the demo (the default model, unless `query` picks another) and waits until its model is loaded (the Ask button comes on). */
export async function openDemo(page: Page, query = ''): Promise<void> {
  await page.goto(`/${query}`);
  await waitForModel(page);
}

export async function waitForModel(page: Page): Promise<void> {
  await expect(page.getByTestId('model-progress-label')).toHaveText(/^Ready on /, SLOW);
  await expect(page.getByTestId('ask')).toBeEnabled();
  await expect(page.getByTestId('error')).toBeHidden();
}

/** Asks with the current settings (RAG-Token greedy, n_docs 4, max length 12 by default) and waits for the answer. */
export async function ask(page: Page, question: string): Promise<void> {
  await page.getByTestId('question').fill(question);
  await page.getByTestId('ask').click();
  await expect(page.getByTestId('answer')).toHaveAttribute('data-state', 'done', SLOW);
  await expect(page.getByTestId('error')).toBeHidden();
}

/** Pastes a document into the "Add your documents" form and waits until it is stored. */
export async function addDocument(page: Page, doc: { target: string; title: string; text: string }): Promise<void> {
  await expect(page.getByTestId('add-docs')).toBeEnabled();
  await page.getByTestId('doc-target').fill(doc.target);
  await page.getByTestId('doc-title').fill(doc.title);
  await page.getByTestId('doc-text').fill(doc.text);
  await page.getByTestId('add-docs').click();
  await expect(page.getByTestId('ingest-label')).toHaveText(/passages embedded and stored$/, SLOW);
  await expect(page.getByTestId('error')).toBeHidden();
}

/** Looks up passages by title under "Edit passages" (in the knowledge base the form names); returns those titled exactly `title`. */
export async function findPassages(page: Page, title: string): Promise<Locator> {
  await page.getByTestId('passage-search').fill(title);
  await page.getByTestId('passage-find').click();
  // "Looking up…" until this lookup is done; then how many matched.
  await expect(page.getByTestId('passage-status')).toHaveText(/^\d+ passages? in /, SLOW);
  await expect(page.getByTestId('error')).toBeHidden();
  return page
    .getByTestId('passage-search-results')
    .getByTestId('passage-result')
    .filter({ has: page.getByTestId('passage-result-title').getByText(title, { exact: true }) });
}

/**
 * Points the page at a retrieval server (`rag serve`), or back at this browser for '', and waits
 * until the connect is settled (connected, or failed with the error shown).
 */
export async function setRetrievalServer(page: Page, url: string): Promise<void> {
  await page.getByTestId('retrieval-url').fill(url);
  await page.getByTestId('retrieval-apply').click();
  await expect(page.getByTestId('retrieval-apply')).toBeEnabled(SLOW);
}

/** Doc ids of the retrieved passages, best first. */
export function passageDocIds(page: Page): Promise<number[]> {
  return page.getByTestId('passage').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-doc-id'))));
}

/** Titles of the retrieved passages, best first. */
export function passageTitles(page: Page): Promise<string[]> {
  return page.getByTestId('passage-title').allTextContents();
}

/** Writes a JSON artifact (artifacts/e2e/<name>) and returns its path. */
export function writeArtifact(name: string, value: unknown): string {
  mkdirSync(artifacts, { recursive: true });
  const url = new URL(name, artifacts);
  writeFileSync(url, `${JSON.stringify(value, null, 2)}\n`);
  return url.pathname;
}

// An app compiled against the published type declarations exactly as a consumer's tsc sees them:
// the packages' built dist/*.d.ts (`types` export condition, not our `source`), strict,
// skipLibCheck false, and no types of ours in scope (no @webgpu/types, no @types/node) beyond
// what the packages themselves declare. Catches undeclared global types (GPUDevice), d.ts that
// import files the build does not ship, and broken typings of dependencies we re-export. The
// packages' README examples are compiled the same way (those importing `node:` with @types/node).
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, expect, it } from 'vitest';
import { ensureCliBuilt, repoRoot } from '../../packages/cli/test/run-cli.js';

const APP = `
import { acquireGpuDevice, RagConfig, type RetrievAugLMMarginOutput } from '@rag-web/core';
import { KnowledgeBase, loadKnowledgeBase, RagRetriever } from '@rag-web/retriever';
import { RagTokenForGeneration, type ProgressInfo } from '@rag-web/models';

const controller = new AbortController();
const model = await RagTokenForGeneration.fromPretrained('/models/world-facts', {
  device: 'auto',
  dtype: 'q8',
  progressCallback: (e: ProgressInfo) => console.log(e.status),
  signal: controller.signal,
});
const { config, tokenizer } = model.rag.components;
const kb: KnowledgeBase = await loadKnowledgeBase('/kb/world-facts/');
model.retriever = new RagRetriever(kb, config, { questionEncoder: tokenizer.questionEncoder, generator: tokenizer.generator });
const { inputIds } = tokenizer.encodeQuestions(['what is the capital of France?']);
const ids = await model.generate({ inputIds, numBeams: 3, maxLength: 20 });
const answers: string[] = tokenizer.batchDecode(ids, { skipSpecialTokens: true });
const r = await model.rag.retrieve(['what is the capital of France?'], { nDocs: 5 });
const out: RetrievAugLMMarginOutput = await model.forward({ contextInputIds: r.contextInputIds, contextAttentionMask: r.contextAttentionMask, docScores: r.docScores, nDocs: r.nDocs });

const { device } = await acquireGpuDevice({ powerPreference: 'high-performance' });
const gpuKb = await KnowledgeBase.open({ name: 'wiki', dimension: config.retrievalVectorSize, index: 'exact', device });
const hits = await gpuKb.search(new Float32Array(gpuKb.dimension), 3);
console.log(answers, out, hits, config instanceof RagConfig);
`;

/** The packages with type declarations (all but the CLI), as a consumer installs them. */
const LIBRARIES = readdirSync(join(repoRoot, 'packages')).filter((name) => {
  const pkg = join(repoRoot, 'packages', name, 'package.json');
  return existsSync(pkg) && 'types' in (JSON.parse(readFileSync(pkg, 'utf8')) as object);
});

/** Every ```ts block of the packages' READMEs, as a module named after its package and position. */
function readmeExamples(): Array<{ file: string; code: string; node: boolean }> {
  return readdirSync(join(repoRoot, 'packages'))
    .filter((name) => existsSync(join(repoRoot, 'packages', name, 'README.md')))
    .flatMap((name) =>
      [...readFileSync(join(repoRoot, 'packages', name, 'README.md'), 'utf8').matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m, i) => ({
        file: `readme-${name}-${i + 1}.ts`,
        code: `${m[1]}export {};\n`,
        node: m[1]!.includes("from 'node:"),
      })),
    );
}

function tsconfig(files: string[], types: string[]) {
  return {
    compilerOptions: {
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'bundler',
      lib: ['ES2022', 'DOM', 'DOM.Iterable'],
      strict: true,
      skipLibCheck: false,
      noEmit: true,
      // Only what the packages pull in themselves: a consumer's own @types are not ours to count on.
      types,
    },
    files,
  };
}

/** tsc's diagnostics for the project in `dir`/`name`, formatted ('' when it compiles). */
function compile(dir: string, name: string): string {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(dir, name), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  expect(parsed?.errors ?? ['no tsconfig']).toEqual([]);
  const program = ts.createProgram({ rootNames: parsed!.fileNames, options: parsed!.options });
  // The declarations really came from dist/, not from src/ through the `source` condition.
  const ours = program.getSourceFiles().map((f) => f.fileName).filter((f) => f.includes('/packages/'));
  expect(ours.some((f) => /\/packages\/\w+\/dist\/index\.d\.ts$/.test(f))).toBe(true);
  expect(ours.filter((f) => !f.includes('/dist/'))).toEqual([]);
  const host = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => dir, getNewLine: () => '\n' };
  return ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), host);
}

const dir = mkdtempSync(join(tmpdir(), 'rag-web-consumer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a strict consumer app and the README examples compile against the built declarations with skipLibCheck false', () => {
  ensureCliBuilt(); // builds every package's dist when missing or stale
  mkdirSync(join(dir, 'node_modules/@rag-web'), { recursive: true });
  mkdirSync(join(dir, 'node_modules/@types'), { recursive: true });
  for (const name of LIBRARIES) symlinkSync(join(repoRoot, 'packages', name), join(dir, 'node_modules/@rag-web', name), 'dir');
  symlinkSync(join(repoRoot, 'node_modules/@types/node'), join(dir, 'node_modules/@types/node'), 'dir');
  writeFileSync(join(dir, 'app.ts'), APP);
  const examples = readmeExamples();
  expect(LIBRARIES).toEqual(expect.arrayContaining(['core', 'retriever', 'models']));
  expect(examples.length).toBeGreaterThanOrEqual(6); // a browser and a Node example per library at least
  for (const { file, code } of examples) writeFileSync(join(dir, file), code);
  const files = (node: boolean) => examples.filter((e) => e.node === node).map((e) => e.file);
  writeFileSync(join(dir, 'tsconfig.browser.json'), JSON.stringify(tsconfig(['app.ts', ...files(false)], [])));
  writeFileSync(join(dir, 'tsconfig.node.json'), JSON.stringify(tsconfig(files(true), ['node'])));

  expect(compile(dir, 'tsconfig.browser.json')).toBe('');
  expect(compile(dir, 'tsconfig.node.json')).toBe('');
}, 180_000);

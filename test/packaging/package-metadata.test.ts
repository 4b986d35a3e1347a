// What npm users get from each published package: licence, metadata and dependencies that plain
// `npm install` handles (ONNX runtimes as peers, so an app has one onnxruntime-web and no native
// runtime it did not ask for), and tarballs from `pnpm pack` with no `workspace:` left in them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as PackageJson;

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  description?: string;
  license?: string;
  repository?: { type: string; url: string; directory?: string };
  engines?: Record<string, string>;
  sideEffects?: boolean;
  bin?: Record<string, string>;
  files?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
}

const rootPkg = readJson(join(root, 'package.json'));
const licence = readFileSync(join(root, 'LICENSE'), 'utf8');
const packages = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(root, 'packages', e.name, 'package.json')))
  .map((e) => ({ dir: e.name, path: join(root, 'packages', e.name), pkg: readJson(join(root, 'packages', e.name, 'package.json')) }))
  .filter(({ pkg }) => !pkg.private);

/** Non-test TypeScript sources of a package. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
}

it('the licence is Apache-2.0, as transformers', () => {
  expect(licence.startsWith('Copyright 2026 The rag-web authors\n')).toBe(true);
  expect(licence).toContain('Apache License\n                           Version 2.0, January 2004');
  expect(licence).toContain('END OF TERMS AND CONDITIONS');
  expect(packages.map((p) => p.pkg.name)).toEqual(expect.arrayContaining(['@rag-web/core', '@rag-web/retriever', '@rag-web/models', '@rag-web/cli']));
});

describe.each(packages)('$pkg.name', ({ dir, path, pkg }) => {
  it('has a licence, description, repository, engines, and ships README.md and LICENSE', () => {
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.description?.length).toBeGreaterThan(20);
    expect(pkg.repository).toEqual({ type: 'git', url: 'git+https://github.com/rag-web/rag-web.git', directory: `packages/${dir}` });
    expect(pkg.engines).toEqual(rootPkg.engines);
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'README.md', 'LICENSE']));
    expect(readFileSync(join(path, 'LICENSE'), 'utf8')).toBe(licence);
    expect(readFileSync(join(path, 'README.md'), 'utf8')).toMatch(new RegExp(`^# ${pkg.name}\n`));
  });

  it('marks a library free of side effects (tree-shakable); only a bin runs on import', () => {
    if (!pkg.bin) expect(pkg.sideEffects).toBe(false);
  });

  it('takes the ONNX runtimes as peers: onnxruntime-web with a range, onnxruntime-node optional', () => {
    for (const runtime of ['onnxruntime-web', 'onnxruntime-node']) {
      expect(pkg.dependencies?.[runtime]).toBeUndefined();
      expect(pkg.optionalDependencies?.[runtime]).toBeUndefined();
    }
    const peers = pkg.peerDependencies ?? {};
    if (peers['onnxruntime-web']) expect(peers['onnxruntime-web']).toBe('~1.30.0');
    if (peers['onnxruntime-node']) {
      expect(peers['onnxruntime-node']).toBe('~1.30.0');
      expect(pkg.peerDependenciesMeta?.['onnxruntime-node']?.optional).toBe(true);
    }
    // Whatever the workspace builds against is a devDependency of the same package.
    for (const peer of Object.keys(peers)) expect(pkg.devDependencies?.[peer], peer).toBeDefined();
  });

  it('declares @webgpu/types when its API names WebGPU types', () => {
    const namesGpuTypes = sources(join(path, 'src')).some((s) => /\bGPU(Device|Buffer|Adapter|CommandEncoder|ComputePipeline)\b/.test(s));
    expect(pkg.dependencies?.['@webgpu/types'] !== undefined).toBe(namesGpuTypes);
  });
});

describe('pnpm pack', () => {
  const out = mkdtempSync(join(tmpdir(), 'rag-web-pack-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it.each(packages)('$pkg.name: a tarball with real versions for workspace:* and its README and LICENSE', ({ path }) => {
    const json = execFileSync('pnpm', ['pack', '--json', '--pack-destination', out], { cwd: path, encoding: 'utf8' });
    const { filename } = JSON.parse(json) as { filename: string };
    const listing = execFileSync('tar', ['-tzf', filename], { encoding: 'utf8' }).split('\n');
    expect(listing).toEqual(expect.arrayContaining(['package/package.json', 'package/README.md', 'package/LICENSE']));
    const packed = JSON.parse(execFileSync('tar', ['-xzOf', filename, 'package/package.json'], { encoding: 'utf8' })) as PackageJson;
    expect(JSON.stringify(packed)).not.toContain('workspace:');
    for (const [name, version] of Object.entries(packed.dependencies ?? {})) {
      if (name.startsWith('@rag-web/')) expect(version, name).toBe(readJson(join(root, 'packages', name.slice('@rag-web/'.length), 'package.json')).version);
    }
  }, 60_000);
});

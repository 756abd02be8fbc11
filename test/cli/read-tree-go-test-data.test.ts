import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRepositoryFiles } from '../../src/bot/read-repository.js';
import { readTree } from '../../src/cli/read-tree.js';
import { memoryForge } from '../support/memory-forge.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

const VALUES = (tag: string) => `image:\n  repository: registry.example.test/shelf/web\n  tag: ${tag}\n`;
const POD = (image: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: ${image}\n`;

/**
 * A Go module whose chart package parses whole charts kept in its `testdata` folder, beside an end-to-end suite whose
 * fixtures sit in a `testdata` folder with no Go test next to it, and the chart the project deploys.
 */
const FILES: Record<string, string> = {
  'go.mod': 'module example.test/shelf\n',
  'chart/values.yaml': VALUES('2.4.0'),
  'src/pkg/chart/operator.go': 'package chart\n',
  'src/pkg/chart/operator_test.go': 'package chart\n',
  'src/pkg/chart/testdata/schema1/values.yaml': VALUES('1.0.0'),
  'src/pkg/chart/testdata/schema1/templates/pod.yaml': POD('registry.example.test/shelf/web:1.0.0'),
  'src/pkg/chart/fixtures/values.yaml': VALUES('1.1.0'),
  'test/e2e/suite_test.go': 'package e2e\n',
  'test/testdata/fixtures/pod.yaml': POD('registry.example.test/shelf/web:2.4.0'),
  'cmd/testdata/pod.yaml': POD('registry.example.test/shelf/cli:3.0.0'),
  'main_test.go': 'package main\n',
  'testdata/pod.yaml': POD('registry.example.test/shelf/root:0.1.0'),
};

function project(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'archpin-go-test-data-'));
  roots.push(root);
  for (const [relative, text] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    writeFileSync(path.join(root, relative), text);
  }
  return root;
}

const READ = ['chart/values.yaml', 'cmd/testdata/pod.yaml', 'go.mod', 'src/pkg/chart/fixtures/values.yaml', 'test/testdata/fixtures/pod.yaml'];

describe('a Go package test input folder', () => {
  it('is not walked when a Go test file is beside it; a testdata folder without one is', async () => {
    const tree = await readTree(project());
    expect(tree.files.map((file) => file.path).filter((file) => !file.endsWith('.go'))).toEqual(READ);
    expect(tree.problems).toEqual([]);
  });

  it('is not read from a forge repository either', async () => {
    const { forge, repo } = memoryForge(FILES);
    const read = await readRepositoryFiles(forge, repo, 'main', { ignorePaths: [], maxFileSize: 1024 * 1024 });
    expect(
      read.files
        .map((file) => file.path)
        .filter((file) => !file.endsWith('.go'))
        .sort(),
    ).toEqual(READ);
  });
});

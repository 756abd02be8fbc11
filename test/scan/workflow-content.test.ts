import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

const workflow = [
  'on: push',
  'jobs:',
  '  unit:',
  '    runs-on: ubuntu-latest',
  '    container: node:20.18.1-bookworm-slim',
  '    services:',
  '      db:',
  '        image: postgres:16.6',
  '    steps:',
  '      - uses: docker://hadolint/hadolint:v2.12.0',
  '        with:',
  '          image: not-read-here:1.0',
  '',
].join('\n');

describe('GitHub Actions workflows outside .github/workflows', () => {
  it('a test workflow of a runner is read as a workflow: container string, services and docker:// steps', () => {
    expect(scan({ 'pkg/runner/testdata/unit/push.yml': workflow })).toEqual([
      ['pkg/runner/testdata/unit/push.yml', 5, 'node:20.18.1-bookworm-slim', 'yaml-image', null],
      ['pkg/runner/testdata/unit/push.yml', 8, 'postgres:16.6', 'yaml-image', null],
      ['pkg/runner/testdata/unit/push.yml', 10, 'hadolint/hadolint:v2.12.0', 'yaml-image', null],
    ]);
  });

  it('reads the same file the same way wherever it lives', () => {
    const inFolder = scan({ '.github/workflows/unit.yml': workflow }).map(([, ...rest]) => rest);
    const outside = scan({ 'ci/unit.yaml': workflow }).map(([, ...rest]) => rest);
    expect(outside).toEqual(inFolder);
    expect(outside).toHaveLength(3);
  });

  it('a reusable workflow whose jobs only have steps is one; a job calling another workflow does not make it one alone', () => {
    const called = 'on:\n  workflow_call:\njobs:\n  lint:\n    steps:\n      - uses: docker://koalaman/shellcheck:v0.10.0\n';
    const callerOnly = 'on: push\njobs:\n  all:\n    uses: ./ci/called.yml\n    container: tools\n';
    expect(scan({ 'ci/called.yml': called, 'ci/caller.yml': callerOnly })).toEqual([['ci/called.yml', 6, 'koalaman/shellcheck:v0.10.0', 'yaml-image', null]]);
  });

  it('files with "on" and "jobs" that are not workflows gain nothing: their jobs neither run anywhere nor have steps', () => {
    const schedule = 'on: nightly\njobs:\n  backup:\n    container: backups\n    uses: docker://restic/restic:0.17.3\n    image: restic/restic:0.17.3\n';
    const notJobs = 'on: true\njobs:\n  - runs-on: x\n    container: python:3.13\n';
    const mixed = 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: []\n  note: "containers run as root"\n';
    expect(scan({ 'ops/schedule.yml': schedule, 'ops/list.yml': notJobs, 'ops/mixed.yml': mixed })).toEqual([
      // The generic YAML rules still read an `image` field, as before; `container` and `uses` are not read outside a workflow.
      ['ops/schedule.yml', 6, 'restic/restic:0.17.3', 'yaml-image', null],
    ]);
  });

  it('a container computed by an expression names no image here, as in .github/workflows; one that falls back to a literal image is templated', () => {
    const computed = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    container: ${{ matrix.container && matrix.container.image || null }}\n    steps:\n      - run: echo\n';
    expect(scan({ 'templates/ci.yml': computed })).toEqual([]);
    const fallback = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    container: ${{ inputs.image || 'debian:12' }}\n    steps:\n      - run: echo\n";
    expect(scan({ 'templates/ci.yml': fallback })).toEqual([['templates/ci.yml', 5, "${{ inputs.image || 'debian:12' }}", 'yaml-image', 'templated']]);
  });
});

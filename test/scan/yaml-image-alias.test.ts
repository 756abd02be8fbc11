import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import type { Reference } from '../../src/core/types.js';
import { mergeEdits } from '../../src/core/verify-edits.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { scanTexts } from '../support/scan-texts.js';

const DIGEST = `sha256:${'c'.repeat(64)}`;

const rows = (references: readonly Reference[]) =>
  references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip, reference.spans.map((span) => [span.role, span.text, span.line])]);

/** A pipeline that names its images once, as anchors in a list of its own, and runs its steps in them through aliases. */
const PIPELINE = [
  'variables:',
  "  - &builder_image 'registry.example.test/tools/builder:4.2'",
  '  - &lint_image registry.example.test/tools/lint:1.0',
  "  - &targets 'linux/amd64,linux/arm64'",
  '',
  'steps:',
  '  compile:',
  '    image: *builder_image',
  '    commands: [make]',
  '  lint:',
  '    image: *lint_image',
  '  package:',
  '    image: *builder_image',
  '    settings:',
  '      platforms: *targets',
  '',
].join('\n');

describe('An image field whose value is an alias of a scalar anchor', () => {
  it('is reported once, at the anchor, in a pipeline that keeps its anchors in a list', () => {
    const { references } = scanTexts({ '.ci/build.yaml': PIPELINE });
    expect(rows(references)).toEqual([
      ['.ci/build.yaml', 2, 'registry.example.test/tools/builder:4.2', 'yaml-image', null, [['reference', 'registry.example.test/tools/builder:4.2', 2]]],
      ['.ci/build.yaml', 3, 'registry.example.test/tools/lint:1.0', 'yaml-image', null, [['reference', 'registry.example.test/tools/lint:1.0', 3]]],
    ]);
    expect(references[0]?.detail).toBe('the anchor &builder_image: written once, every *builder_image uses it');
  });

  it('is pinned by one edit of the anchor literal, inside its quotes, which every alias then reads', () => {
    const { references } = scanTexts({ '.ci/build.yaml': PIPELINE });
    const builder = references.find((reference) => reference.line === 2);
    if (!builder) throw new Error('no reference at the anchor');
    const plan = editsForReference(builder, { tag: '4.3', digest: DIGEST });
    if (!plan.ok) throw new Error(plan.reason);
    const merged = mergeEdits(plan.edits);
    if (typeof merged === 'string') throw new Error(merged);
    const bytes = sourceFile('.ci/build.yaml', Buffer.from(PIPELINE)).bytes;
    const edited = Buffer.from(applyEdits(bytes, merged)).toString('utf8');
    expect(edited).toBe(PIPELINE.replace("&builder_image 'registry.example.test/tools/builder:4.2'", `&builder_image 'registry.example.test/tools/builder:4.3@${DIGEST}'`));
    expect(rows(scanTexts({ '.ci/build.yaml': edited }).references).map((row) => row.slice(1, 3))).toEqual([
      [2, `registry.example.test/tools/builder:4.3@${DIGEST}`],
      [3, 'registry.example.test/tools/lint:1.0'],
    ]);
  });

  it('is reported once where the anchor is itself an image field that an alias repeats', () => {
    const values = ['api:', '  image: &shared registry.example.test/shop/api:2.1.0', 'worker:', '  image: *shared', 'cron:', '  image: *shared', ''].join('\n');
    expect(rows(scanTexts({ 'deploy/values.yaml': values }).references)).toEqual([
      ['deploy/values.yaml', 2, 'registry.example.test/shop/api:2.1.0', 'helm-values', null, [['reference', 'registry.example.test/shop/api:2.1.0', 2]]],
    ]);
  });

  it('is read so in compose, workflow and manifest files too, and an anchor no image field uses is not an image', () => {
    const compose = [
      'x-images:',
      '  - &store registry.example.test/db/store:16.4',
      '  - &unused registry.example.test/db/other:1.0',
      'services:',
      '  primary:',
      '    image: *store',
      '  replica:',
      '    image: *store',
      '',
    ].join('\n');
    const workflow = [
      'on: push',
      'env:',
      '  CACHE: &cache registry.example.test/cache/keyval:7.2',
      'jobs:',
      '  check:',
      '    runs-on: ubuntu-latest',
      '    services:',
      '      keyval:',
      '        image: *cache',
      '    steps:',
      '      - run: make check',
      '',
    ].join('\n');
    const pod = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: tools',
      '  annotations:',
      '    tools-image: &tools registry.example.test/ops/tools:3.1',
      'spec:',
      '  containers:',
      '    - name: first',
      '      image: *tools',
      '    - name: second',
      '      image: *tools',
      '',
    ].join('\n');
    const found = scanTexts({ 'compose.yaml': compose, '.github/workflows/check.yml': workflow, 'k8s/pod.yaml': pod }).references;
    expect(found.map((reference) => [reference.file, reference.line, reference.value, reference.kind])).toEqual([
      ['.github/workflows/check.yml', 3, 'registry.example.test/cache/keyval:7.2', 'yaml-image'],
      ['compose.yaml', 2, 'registry.example.test/db/store:16.4', 'compose-service'],
      ['k8s/pod.yaml', 6, 'registry.example.test/ops/tools:3.1', 'kubernetes-container'],
    ]);
  });

  it('follows a compose default written behind an anchor, and leaves an alias of a map to the map', () => {
    const compose = ['x-db: &db ${DB_IMAGE:-registry.example.test/db/store:16.4}', 'services:', '  db:', '    image: *db', ''].join('\n');
    expect(scanTexts({ 'compose.yaml': compose }).references.map((reference) => [reference.line, reference.value, reference.spans[0]?.text])).toEqual([
      [1, 'registry.example.test/db/store:16.4', 'registry.example.test/db/store:16.4'],
    ]);
    const values = ['main:', '  image: &img', '    repository: registry.example.test/shop/web', '    tag: 5.0.1', 'canary:', '  image: *img', ''].join('\n');
    expect(scanTexts({ 'values.yaml': values }).references.map((reference) => [reference.line, reference.value])).toEqual([[3, 'registry.example.test/shop/web:5.0.1']]);
  });
});

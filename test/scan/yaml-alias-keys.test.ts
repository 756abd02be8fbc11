import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

/** A release whose controller is keyed by the release's own name, written once as an anchor and used as a key through an alias. */
const RELEASE = [
  'apiVersion: helm.toolkit.fluxcd.io/v2',
  'kind: HelmRelease',
  'metadata:',
  '  name: &app web-portal',
  '  namespace: team',
  'spec:',
  '  interval: 1h',
  '  chartRef:',
  '    kind: OCIRepository',
  '    name: app-template',
  '  values:',
  '    controllers:',
  '      *app :',
  '        initContainers:',
  '          migrate:',
  '            image:',
  '              repository: registry.example.test/team/portal-migrate',
  '              tag: 1.4.2',
  '        containers:',
  '          app:',
  '            image:',
  '              repository: registry.example.test/team/portal',
  '              tag: 1.4.2@sha256:' + 'a'.repeat(64),
  '    service:',
  '      app:',
  '        controller: *app',
  '',
].join('\n');

describe('a map key written as an alias of a scalar anchor', () => {
  it('is read as the anchored text, so the images under it are reported (Helm values of a HelmRelease)', () => {
    expect(scan({ 'apps/portal/release.yaml': RELEASE })).toEqual([
      ['apps/portal/release.yaml', 17, 'registry.example.test/team/portal-migrate:1.4.2', 'helm-values', null],
      ['apps/portal/release.yaml', 22, `registry.example.test/team/portal:1.4.2@sha256:${'a'.repeat(64)}`, 'helm-values', null],
    ]);
  });

  it('is read so in a values file, a compose file and plain YAML too', () => {
    const values =
      'name: &worker queue-worker\ncontrollers:\n  *worker :\n    containers:\n      main:\n        image:\n          repository: registry.example.test/team/worker\n          tag: 2.0.1\n';
    const compose = 'x-names:\n  db: &db database\nservices:\n  *db :\n    image: registry.example.test/data/db:16.4\n';
    const plain = 'defaults:\n  job: &job nightly\njobs:\n  ? *job\n  : image: registry.example.test/tools/runner:5.1\n';
    expect(scan({ 'chart/values.yaml': values, 'deploy/compose.yaml': compose, 'ops/jobs.yaml': plain })).toEqual([
      ['chart/values.yaml', 7, 'registry.example.test/team/worker:2.0.1', 'helm-values', null],
      ['deploy/compose.yaml', 5, 'registry.example.test/data/db:16.4', 'compose-service', null],
      ['ops/jobs.yaml', 5, 'registry.example.test/tools/runner:5.1', 'yaml-image', null],
    ]);
  });

  it('keeps an alias of a map as a key as it is, and the images written elsewhere in the file are still reported', () => {
    const odd = 'base: &base {size: 2}\nsizes:\n  *base : small\nimage: registry.example.test/tools/runner:5.1\n';
    expect(scan({ 'ops/odd.yaml': odd })).toEqual([['ops/odd.yaml', 4, 'registry.example.test/tools/runner:5.1', 'yaml-image', null]]);
  });
});

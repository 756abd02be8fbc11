import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

/** A gateway whose proxy container Istio's sidecar injection fills in, beside containers that name images. */
const GATEWAY = [
  'apiVersion: apps/v1', // 1
  'kind: Deployment', // 2
  'metadata: {name: edge-gateway}', // 3
  'spec:', // 4
  '  template:', // 5
  '    metadata:', // 6
  '      annotations: {inject.istio.io/templates: gateway}', // 7
  '    spec:', // 8
  '      containers:', // 9
  '        - name: istio-proxy', // 10
  '          image: auto', // 11
  '        - name: helper', // 12
  '          image: registry.example.test/tools/auto', // 13
  '        - name: tunnel', // 14
  '          image: autossh', // 15
  '        - name: pinned', // 16
  '          image: registry.example.test/team/auto:2.0.1', // 17
  '',
].join('\n');

/** An operator's custom resource that passes extra containers on to the pods it makes, one of them injected the same way. */
const DASHBOARD = [
  'apiVersion: dashboards.example.test/v1', // 1
  'kind: Dashboard', // 2
  'metadata: {name: main}', // 3
  'spec:', // 4
  '  deployment:', // 5
  '    extra_containers:', // 6
  '      - name: istio-proxy', // 7
  "        image: 'auto'", // 8
  '      - name: sidecar', // 9
  '        image: registry.example.test/team/sidecar:1.2.0', // 10
  '',
].join('\n');

const TASKS = ['- name: Add the proxy container', '  ansible.builtin.set_fact:', '    proxy_container:', '      name: istio-proxy', '      image: auto', ''].join('\n');

describe('the word auto written where an image goes', () => {
  it('is not listed: Istio replaces it with its proxy image, and no registry serves it', () => {
    expect(scan({ 'deploy/gateway.yaml': GATEWAY, 'deploy/dashboard.yaml': DASHBOARD, 'tests/tasks.yml': TASKS })).toEqual([
      ['deploy/dashboard.yaml', 10, 'registry.example.test/team/sidecar:1.2.0', 'kubernetes-image', null],
      ['deploy/gateway.yaml', 13, 'registry.example.test/tools/auto', 'kubernetes-container', 'no-tag'],
      ['deploy/gateway.yaml', 15, 'autossh', 'kubernetes-container', 'no-tag'],
      ['deploy/gateway.yaml', 17, 'registry.example.test/team/auto:2.0.1', 'kubernetes-container', null],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { isPodYaml } from '../../src/scan/extractors/jenkinsfile/jenkinsfile.js';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null]);

/** A shared library step that returns a whole Pod for the Kubernetes plugin, with escaped Jenkins variables in it. */
const deployPod = [
  'def call() {', // 1
  '"""', // 2
  'apiVersion: v1', // 3
  'kind: Pod', // 4
  'metadata:', // 5
  '  name: deploy-agent', // 6
  'spec:', // 7
  '  containers:', // 8
  '    - name: jnlp', // 9
  '      image: registry.example.test/ci/agent:3.2.1', // 10
  "      args: ['\\$(AGENT_SECRET)', '\\$(AGENT_NAME)']", // 11
  '    - name: helm', // 12
  "      image: 'registry.example.test/tools/helm:3.16.2'", // 13
  '"""', // 14
  '}', // 15
  '',
].join('\n');

/** One that returns only the part of a Pod the plugin merges (`metadata` and `spec`), and a step returning other YAML. */
const reviewPod = [
  'def call() {', // 1
  "  return '''", // 2
  'metadata:', // 3
  '  labels:', // 4
  '    app: review-agent', // 5
  'spec:', // 6
  '  containers:', // 7
  '  - name: build', // 8
  '    image: registry.example.test/ci/builder', // 9
  '    command: [cat]', // 10
  "'''", // 11
  '}', // 12
  '',
  'def values() {', // 14
  "  return '''", // 15
  'service:', // 16
  '  spec:', // 17
  '    containers:', // 18
  '      image: registry.example.test/other/app:1.0', // 19
  "'''", // 20
  '}', // 21
  '',
].join('\n');

describe('Pod YAML in a string of a Jenkins shared library', () => {
  it('is read by its content, each image at its own line', () => {
    // Before, neither file was read: no pipeline words (`podTemplate(`, `pipeline {`) and no `yaml` field before the string.
    expect(scan({ 'vars/deployPod.groovy': deployPod, 'vars/reviewPod.groovy': reviewPod })).toEqual([
      ['vars/deployPod.groovy', 10, 'registry.example.test/ci/agent:3.2.1', null, 'pod YAML'],
      ['vars/deployPod.groovy', 13, 'registry.example.test/tools/helm:3.16.2', null, 'pod YAML'],
      ['vars/reviewPod.groovy', 9, 'registry.example.test/ci/builder', 'no-tag', 'pod YAML'],
    ]);
  });

  it('needs only a Pod’s keys at the top, `spec` among them, and a containers list', () => {
    expect(isPodYaml('\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: a:1\n')).toBe(true);
    expect(isPodYaml('\nspec:\n  containers:\n  - image: a:1\n')).toBe(true);
    expect(isPodYaml('\napiVersion: apps/v1\nkind: Deployment\nspec:\n  containers:\n  - image: a:1\n')).toBe(false);
    expect(isPodYaml('\nmetadata:\n  name: x\n')).toBe(false);
    expect(isPodYaml('\nspec:\n  image: a:1\n')).toBe(false);
    expect(isPodYaml('\nservice:\n  spec:\n    containers:\n      image: a:1\n')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const DIGEST = `sha256:${'e'.repeat(64)}`;

/** A policy that adds a container to each Job it admits, and one that mirrors an image through an expression. */
const POLICY = [
  'apiVersion: admissionregistration.k8s.io/v1beta1', // 1
  'kind: MutatingAdmissionPolicy', // 2
  'metadata:', // 3
  '  name: add-delay', // 4
  'spec:', // 5
  '  mutations:', // 6
  '    - patchType: JSONPatch', // 7
  '      jsonPatch:', // 8
  '        expression: >-', // 9
  '          [', // 10
  '            JSONPatch{', // 11
  '              op: "add", path: "/spec/template/spec/initContainers/-",', // 12
  '              value: Object.spec.template.spec.initContainers{', // 13
  '                name: "delay",', // 14
  `                image: "registry.example.test/tools/delay:1.4.0@${DIGEST}",`, // 15
  '                command: ["sh", "-c", "sleep 5"]', // 16
  '              }', // 17
  '            },', // 18
  '            JSONPatch{op: "replace", path: "/spec/template/spec/containers/0/image", value: "registry.example.test/tools/runner:2.0.1"}', // 19
  '          ]', // 20
  '    - patchType: ApplyConfiguration', // 21
  '      applyConfiguration:', // 22
  '        expression: >', // 23
  '          Object{spec: Object.spec{containers: [Object.spec.containers{name: "main",', // 24
  '            image: "registry.example.test/mirror/" + object.spec.containers[0].image}]}}', // 25
  '---',
  'apiVersion: admissionregistration.k8s.io/v1beta1',
  'kind: ValidatingAdmissionPolicy',
  'metadata:',
  '  name: check',
  'spec:',
  '  validations:',
  '    - expression: object.spec.containers.all(c, c.image != "registry.example.test/tools/delay:1.4.0")',
  '',
].join('\n');

describe('MutatingAdmissionPolicy', () => {
  it('reports an image a CEL mutation writes as a literal, where it is written; a computed image and other policies are not read', () => {
    const scanned = scanTexts({ 'cluster/policies/add-delay.yaml': POLICY });
    expect(scanned.references.map((reference) => [reference.line, reference.column, reference.value, reference.kind, reference.skip, reference.detail ?? null])).toEqual([
      [15, 25, `registry.example.test/tools/delay:1.4.0@${DIGEST}`, 'kubernetes-image', null, 'a container a CEL mutation adds'],
      [19, 94, 'registry.example.test/tools/runner:2.0.1', 'kubernetes-image', null, 'a container a CEL mutation adds'],
    ]);
    expect(scanned.problems).toEqual([]);
  });
});

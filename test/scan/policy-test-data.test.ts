import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value]);

const pod = (name: string, image: string): string =>
  ['apiVersion: v1', 'kind: Pod', 'metadata:', `  name: ${name}`, 'spec:', '  containers:', '    - name: main', `      image: ${image}`, ''].join('\n');

const policy = [
  'apiVersion: kyverno.io/v1',
  'kind: ClusterPolicy',
  'metadata:',
  '  name: add-agent',
  'spec:',
  '  rules:',
  '    - name: add-agent',
  '      match:',
  '        any:',
  '          - resources:',
  '              kinds: [Pod]',
  '      mutate:',
  '        patchStrategicMerge:',
  '          spec:',
  '            containers:',
  '              - name: agent',
  '                image: registry.example.test/policy/agent:2.4.0',
  '',
].join('\n');

describe('objects a Kyverno CLI test evaluates offline are test data', () => {
  const kyvernoTest = [
    'apiVersion: cli.kyverno.io/v1alpha1',
    'kind: Test',
    'metadata:',
    '  name: add-agent',
    'policies:',
    '  - ../add-agent.yaml',
    'resources:',
    '  - resource.yaml',
    '  - ../../deploy/web.yaml',
    'variables: values.yaml',
    'results:',
    '  - policy: add-agent',
    '    rule: add-agent',
    '    resources: [web]',
    '    kind: Pod',
    '    patchedResources: patched.yaml',
    '    result: pass',
    '',
  ].join('\n');

  it('does not read the resources and expected output a Test names beside it; its policy and a manifest named from another folder are read', () => {
    expect(
      scan({
        'policies/add-agent/add-agent.yaml': policy,
        'policies/add-agent/.kyverno-test/kyverno-test.yaml': kyvernoTest,
        'policies/add-agent/.kyverno-test/resource.yaml': pod('web', 'registry.example.test/team/web:1.0.0'),
        'policies/add-agent/.kyverno-test/patched.yaml': pod('web', 'registry.example.test/policy/agent:2.4.0'),
        'policies/add-agent/.kyverno-test/other.yaml': pod('spare', 'registry.example.test/team/spare:3.1.0'),
        'deploy/web.yaml': pod('web', 'registry.example.test/team/web:1.0.0'),
      }),
    ).toEqual([
      ['deploy/web.yaml', 8, 'registry.example.test/team/web:1.0.0'],
      ['policies/add-agent/.kyverno-test/other.yaml', 8, 'registry.example.test/team/spare:3.1.0'],
      ['policies/add-agent/add-agent.yaml', 17, 'registry.example.test/policy/agent:2.4.0'],
    ]);
  });

  it('reads every Test of a manifest over 64 KiB, also those that name no image', () => {
    // Many Tests in one stream: the last one, far past 64 KiB, names the resource beside it.
    const filler = Array.from({ length: 700 }, (_, index) =>
      [
        'apiVersion: cli.kyverno.io/v1alpha1',
        'kind: Test',
        'metadata:',
        `  name: check-${index}`,
        'policies:',
        '  - ../add-agent.yaml',
        'results:',
        `  - policy: check-${index}`,
        '    result: pass',
        '',
      ].join('\n'),
    );
    const large = [...filler, kyvernoTest].join('---\n');
    expect(large.length).toBeGreaterThan(64 * 1024);
    expect(
      scan({
        'policies/add-agent/add-agent.yaml': policy,
        'policies/add-agent/.kyverno-test/kyverno-test.yaml': large,
        'policies/add-agent/.kyverno-test/resource.yaml': pod('web', 'registry.example.test/team/web:1.0.0'),
        'policies/add-agent/.kyverno-test/patched.yaml': pod('web', 'registry.example.test/policy/agent:2.4.0'),
      }),
    ).toEqual([['policies/add-agent/add-agent.yaml', 17, 'registry.example.test/policy/agent:2.4.0']]);
  });

  it('a file of that name that is not a Kyverno CLI Test leaves its neighbours read', () => {
    const other = 'apiVersion: example.test/v1\nkind: Test\nresources:\n  - resource.yaml\n';
    expect(scan({ 'checks/kyverno-test.yaml': other, 'checks/resource.yaml': pod('web', 'registry.example.test/team/web:1.0.0') })).toEqual([
      ['checks/resource.yaml', 8, 'registry.example.test/team/web:1.0.0'],
    ]);
  });
});

describe('files a Chainsaw test only compares the cluster with are test data', () => {
  const chainsawTest = [
    'apiVersion: chainsaw.kyverno.io/v1alpha1',
    'kind: Test',
    'metadata:',
    '  name: add-agent',
    'spec:',
    '  steps:',
    '    - name: mutate',
    '      try:',
    '        - apply:',
    '            file: pod.yaml',
    '        - assert:',
    '            file: pod-assert.yaml',
    '        - apply:',
    '            file: refused-pod.yaml',
    '            expect:',
    '              - check:',
    '                  ($error != null): true',
    '        - error:',
    '            file: gone.yaml',
    '        - assert:',
    '            file: shared.yaml',
    '      catch:',
    '        - apply:',
    '            file: shared.yaml',
    '        - assert:',
    '            file: ../elsewhere/expected.yaml',
    '',
  ].join('\n');

  it('does not read a file used only by `assert` or `error` beside the test; applied files and files in another folder are read', () => {
    expect(
      scan({
        'e2e/mutate/chainsaw-test.yaml': chainsawTest,
        'e2e/mutate/pod.yaml': pod('web', 'registry.example.test/team/web:1.0.0'),
        'e2e/mutate/pod-assert.yaml': pod('web', 'registry.example.test/policy/agent:2.4.0'),
        'e2e/mutate/refused-pod.yaml': pod('root', 'registry.example.test/team/root:0.9.0'),
        'e2e/mutate/gone.yaml': pod('old', 'registry.example.test/team/old:0.1.0'),
        'e2e/mutate/shared.yaml': pod('shared', 'registry.example.test/team/shared:5.0.0'),
        'e2e/elsewhere/expected.yaml': pod('kept', 'registry.example.test/team/kept:7.0.0'),
      }),
    ).toEqual([
      ['e2e/elsewhere/expected.yaml', 8, 'registry.example.test/team/kept:7.0.0'],
      ['e2e/mutate/pod.yaml', 8, 'registry.example.test/team/web:1.0.0'],
      ['e2e/mutate/refused-pod.yaml', 8, 'registry.example.test/team/root:0.9.0'],
      ['e2e/mutate/shared.yaml', 8, 'registry.example.test/team/shared:5.0.0'],
    ]);
  });

  it('a file an apply glob sends to the cluster stays read though an assert names it too', () => {
    const globTest = [
      'apiVersion: chainsaw.kyverno.io/v1alpha1',
      'kind: Test',
      'spec:',
      '  steps:',
      '    - try:',
      '        - apply:',
      '            file: "*-pod.yaml"',
      '        - assert:',
      '            file: web-pod.yaml',
      '        - assert:',
      '            file: expected.yaml',
      '',
    ].join('\n');
    expect(
      scan({
        'e2e/glob/chainsaw-test.yaml': globTest,
        'e2e/glob/web-pod.yaml': pod('web', 'registry.example.test/team/web:1.0.0'),
        'e2e/glob/expected.yaml': pod('web', 'registry.example.test/team/web:1.0.0'),
      }),
    ).toEqual([['e2e/glob/web-pod.yaml', 8, 'registry.example.test/team/web:1.0.0']]);
  });
  it('a glob written to make a backtracking matcher run for hours is matched as any glob (a scan of the tree ends)', () => {
    const hostileTest = [
      'apiVersion: chainsaw.kyverno.io/v1alpha1',
      'kind: Test',
      'spec:',
      '  steps:',
      '    - try:',
      '        - apply:',
      `            file: "${'**/'.repeat(25)}z-pod.yaml"`,
      '        - assert:',
      '            file: expected.yaml',
      '',
    ].join('\n');
    const deep = `e2e/hostile/${'a/'.repeat(40)}web-pod.yaml`;
    const found = scan({
      'e2e/hostile/chainsaw-test.yaml': hostileTest,
      'e2e/hostile/expected.yaml': pod('web', 'registry.example.test/team/web:1.0.0'),
      [deep]: pod('web', 'registry.example.test/team/web:2.0.0'),
      'e2e/hostile/a/z-pod.yaml': pod('z', 'registry.example.test/team/z:3.0.0'),
    });
    expect(found).toEqual([
      [deep, 8, 'registry.example.test/team/web:2.0.0'],
      ['e2e/hostile/a/z-pod.yaml', 8, 'registry.example.test/team/z:3.0.0'],
    ]);
  });
});

describe('objects a Chainsaw test writes inline under `assert` or `error` are the state it compares the cluster with', () => {
  it('reports the object an `apply` or `create` writes inline, not the one an `assert` or `error` writes', () => {
    const inlineTest = [
      'apiVersion: chainsaw.kyverno.io/v1alpha1',
      'kind: Test',
      'metadata:',
      '  name: roll-web',
      'spec:',
      '  steps:',
      '    - try:',
      '        - apply:',
      '            resource:',
      '              apiVersion: v1',
      '              kind: Pod',
      '              metadata: { name: web }',
      '              spec:',
      '                containers:',
      '                  - name: web',
      '                    image: registry.example.test/team/web:1.2.0',
      '        - assert:',
      '            resource:',
      '              apiVersion: v1',
      '              kind: Pod',
      '              metadata: { name: web }',
      '              spec:',
      '                containers:',
      '                  - name: web',
      '                    image: registry.example.test/team/web:1.2.1',
      '      catch:',
      '        - error:',
      '            resource:',
      '              apiVersion: v1',
      '              kind: Pod',
      '              metadata: { name: old }',
      '              spec:',
      '                containers:',
      '                  - name: old',
      '                    image: registry.example.test/team/old:0.9.0',
      '        - create:',
      '            resource:',
      '              apiVersion: v1',
      '              kind: Pod',
      '              metadata: { name: probe }',
      '              spec:',
      '                containers:',
      '                  - name: probe',
      '                    image: registry.example.test/team/probe:3.0.0',
      '',
    ].join('\n');
    expect(scanTexts({ 'e2e/inline/chainsaw-test.yaml': inlineTest }).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip])).toEqual([
      ['e2e/inline/chainsaw-test.yaml', 16, 'registry.example.test/team/web:1.2.0', null],
      ['e2e/inline/chainsaw-test.yaml', 44, 'registry.example.test/team/probe:3.0.0', null],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => {
  const result = scanTexts(files);
  return {
    references: result.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]),
    problems: result.problems.map((problem) => [problem.file, problem.line, problem.code, problem.message]),
  };
};

const appset = (name: string) => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: tools
spec:
  goTemplate: true
  generators:
    - list:
        elements:
          - team: payments
  template:
    metadata:
      name: ${name}
    spec:
      source:
        repoURL: https://git.example.test/deploy.git
        path: 'teams/{{ .team }}'
        helm:
          valuesObject:
            worker:
              image: registry.example.test/tools/worker:4.2
      destination:
        namespace: {{ .team }}
`;

describe('an Argo CD ApplicationSet with a template written unquoted', () => {
  it('is a problem at the first such line, and its image lines are read one by one', () => {
    expect(scan({ 'apps/tools.yaml': appset('{{ .team }}-tools') })).toEqual({
      references: [['apps/tools.yaml', 21, 'registry.example.test/tools/worker:4.2', null]],
      problems: [
        [
          'apps/tools.yaml',
          13,
          'parse-error',
          'not YAML: a {{ … }} template is written unquoted (name: {{ .team }}-tools); Argo CD reads an ApplicationSet as YAML before it fills in templates, so quote the value. Its image lines are read one by one',
        ],
      ],
    });
  });

  it('quoted templates are YAML: no problem, and the values are read as Helm values', () => {
    const quoted = appset("'{{ .team }}-tools'").replace('namespace: {{ .team }}', "namespace: '{{ .team }}'");
    expect(scan({ 'apps/tools.yaml': quoted })).toEqual({ references: [['apps/tools.yaml', 21, 'registry.example.test/tools/worker:4.2', null]], problems: [] });
  });

  it('under a Helm chart templates/ folder the file is Helm to render first: no problem', () => {
    expect(scan({ 'charts/apps/templates/tools.yaml': appset('{{ .Values.prefix }}-tools') })).toEqual({
      references: [['charts/apps/templates/tools.yaml', 21, 'registry.example.test/tools/worker:4.2', null]],
      problems: [],
    });
  });
});

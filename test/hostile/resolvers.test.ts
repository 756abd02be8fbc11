import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

// Files small enough to pass every size budget whose names point at each other many ways over: read once per
// path, they cost the width to the power of the depth (a 13 KB CI file, a 590 KB workflow: hours). Each
// answer is worked out once per job or template, or the reading stops at a bound and says so.

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

describe('hostile input: names that point at each other many ways over', () => {
  it('GitLab CI: jobs extending 8 templates, each extending the 8 of the level below, 10 levels deep', () => {
    const levels: string[] = [];
    for (let level = 0; level < 10; level++) {
      for (let index = 0; index < 8; index++) {
        levels.push(`.l${level}-${index}:\n  variables:\n    V${level}_${index}: "${level}.${index}"\n`);
        if (level > 0) levels.push(`  extends: [${Array.from({ length: 8 }, (_, below) => `.l${level - 1}-${below}`).join(', ')}]\n`);
      }
    }
    const jobs = Array.from(
      { length: 3 },
      (_, job) => `job${job}:\n  extends: [${Array.from({ length: 8 }, (_, top) => `.l9-${top}`).join(', ')}]\n  image: "registry.example.test/ci/tool:$V0_7"\n  script: [make]\n`,
    );
    const text = levels.join('') + jobs.join('');
    const line = (job: number) => text.split('\n').indexOf(`job${job}:`) + 3;
    expect(rows({ '.gitlab-ci.yml': text })).toEqual([0, 1, 2].map((job) => ['.gitlab-ci.yml', line(job), 'registry.example.test/ci/tool:0.7', null]));
  });

  it('Argo Workflows: 4 layers of 20 templates, each passing an image input to all 20 of the layer below', () => {
    const template = (name: string, calls: readonly string[], runs: boolean) =>
      [
        `  - name: ${name}`,
        '    inputs:',
        '      parameters:',
        '      - name: image',
        ...(calls.length > 0 ? ['    steps:'] : []),
        ...calls.flatMap((call) => [
          `    - - name: to-${call}`,
          `        template: ${call}`,
          '        arguments:',
          '          parameters:',
          '          - name: image',
          '            value: "{{inputs.parameters.image}}"',
        ]),
        ...(runs ? ['    container:', '      image: "{{inputs.parameters.image}}"'] : []),
      ].join('\n');
    const layers = Array.from({ length: 4 }, (_, layer) =>
      Array.from({ length: 20 }, (_, index) => template(`l${layer + 1}-${index}`, layer === 0 ? ['run'] : Array.from({ length: 20 }, (_, below) => `l${layer}-${below}`), false)),
    ).flat();
    const text = ['apiVersion: argoproj.io/v1alpha1', 'kind: Workflow', 'metadata:', '  name: layers', 'spec:', '  entrypoint: l4-0', '  templates:', template('run', [], true), ...layers, ''].join(
      '\n',
    );
    expect(rows({ 'flows/layers.yaml': text })).toEqual([['flows/layers.yaml', 13, '{{inputs.parameters.image}}', 'templated']]);
  });
});

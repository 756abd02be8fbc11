import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

const job = (image: string): string =>
  [
    'job "scaler" {', // 1
    '  group "scaler" {', // 2
    '    task "scaler" {', // 3
    '      driver = "docker"', // 4
    '      config {', // 5
    `        image   = "${image}"`, // 6
    '        args    = ["-config", "$${NOMAD_TASK_DIR}/config.hcl"]', // 7
    '      }', // 8
    '    }', // 9
    '  }', // 10
    '}', // 11
    '',
  ].join('\n');

describe("a Nomad job template that Terraform's templatefile renders", () => {
  it('passes on the image of a template variable written alone; a name with text of its own and runtime values stay templated', () => {
    const variables = ['variable "scaler_image" {', '  default = "registry.example.test/ops/scaler:0.4.1"', '}', ''].join('\n');
    expect(
      rows({
        'terraform/templates/scaler.nomad.tpl': job('${scaler_image}'),
        'terraform/templates/tagged.nomad.tpl': job('registry.example.test/ops/scaler:${scaler_version}'),
        'terraform/templates/meta.nomad.tpl': job('${NOMAD_META_scaler_image}'),
        'terraform/templates/literal.nomad.tpl': job('registry.example.test/ops/scaler:0.4.1'),
        'terraform/variables.tf': variables,
      }),
    ).toEqual([
      ['terraform/templates/literal.nomad.tpl', 6, 'registry.example.test/ops/scaler:0.4.1', null],
      ['terraform/templates/meta.nomad.tpl', 6, '${NOMAD_META_scaler_image}', 'templated'],
      ['terraform/templates/tagged.nomad.tpl', 6, 'registry.example.test/ops/scaler:${scaler_version}', 'templated'],
    ]);
  });
});

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

describe('a Nomad job file that Terraform renders before Nomad reads it', () => {
  const rendered = (image: string, env = ''): string =>
    [
      'job "relay" {', // 1
      '  datacenters = ["${datacenter}"]', // 2
      '  group "relay" {', // 3
      '    task "relay" {', // 4
      '      driver = "docker"', // 5
      '      config {', // 6
      `        image = "${image}"`, // 7
      '      }', // 8
      env, // 9
      '    }', // 10
      '  }', // 11
      '}', // 12
      '',
    ].join('\n');

  it('leaves out an image that is one lowercase name alone; Nomad values, names with text and names the task env sets stay templated', () => {
    expect(
      rows({
        'deploy/relay/relay.nomad.hcl': rendered('${relay_image}'),
        'deploy/relay/main.tf': 'data "template_file" "relay" {\n  template = file("./relay.nomad.hcl")\n  vars = { relay_image = var.relay_image }\n}\n',
        'deploy/env/relay.nomad.hcl': rendered('${relay_image}', '      env { relay_image = "registry.example.test/ops/relay:2.0.0" }'),
        'deploy/tagged/relay.nomad.hcl': rendered('registry.example.test/ops/relay:${relay_tag}'),
        'deploy/meta/relay.nomad.hcl': rendered('${meta.relay_image}'),
        'deploy/runtime/relay.nomad.hcl': rendered('${NOMAD_META_relay_image}'),
        'deploy/var/relay.nomad.hcl': rendered('${var.relay_image}'),
      }),
    ).toEqual([
      ['deploy/env/relay.nomad.hcl', 7, '${relay_image}', 'templated'],
      ['deploy/meta/relay.nomad.hcl', 7, '${meta.relay_image}', 'templated'],
      ['deploy/runtime/relay.nomad.hcl', 7, '${NOMAD_META_relay_image}', 'templated'],
      ['deploy/tagged/relay.nomad.hcl', 7, 'registry.example.test/ops/relay:${relay_tag}', 'templated'],
      ['deploy/var/relay.nomad.hcl', 7, '${var.relay_image}', 'templated'],
    ]);
  });
});

/** Nomad Pack images written through a template variable (`[[ $image := var "image" . ]]`, then `[[ $image ]]`). */
import { describe, expect, it } from 'vitest';
import { dependenciesOf, type Proposal } from '../../src/core/dependency.js';
import { sourceFile } from '../../src/core/source-file.js';
import { planUpdates } from '../../src/plan/plan-updates.js';
import { scanSources, verifyEdits } from '../../src/pipeline/pipeline.js';

const TEMPLATE = 'packs/ledger/templates/ledger.nomad.tpl';
const VARIABLES = 'packs/ledger/variables.hcl';
const FILES: Record<string, string> = {
  [TEMPLATE]: [
    '[[ $image := var "ledger_image" . ]]', // 1
    '[[- $agent := .my.agent_image -]]', // 2
    '[[ $tag := var "proxy_tag" . ]]', // 3
    '[[ $built := printf "%s:%s" (var "repo" .) "1.0" ]]', // 4
    '[[ $twice := var "ledger_image" . ]]', // 5
    '[[ $twice = var "agent_image" . ]]', // 6
    '[[ $bare := var "no_default" . ]]', // 7
    'job "ledger" {', // 8
    '  group "ledger" {', // 9
    '    task "ledger" {', // 10
    '      driver = "docker"', // 11
    '      config { image = "[[ $image ]]" }', // 12
    '    }', // 13
    '    task "agent" {', // 14
    '      config {', // 15
    '        image = [[ $agent | quote ]]', // 16
    '      }', // 17
    '    }', // 18
    '    task "proxy" {', // 19
    '      config { image = "registry.example.test/edge/proxy:[[ $tag ]]" }', // 20
    '    }', // 21
    '    task "built" {', // 22
    '      config { image = "[[ $built ]]" }', // 23
    '    }', // 24
    '    task "twice" {', // 25
    '      config { image = "[[ $twice ]]" }', // 26
    '    }', // 27
    '    task "bare" {', // 28
    '      config { image = "[[ $bare ]]" }', // 29
    '    }', // 30
    '    task "unset" {', // 31
    '      config { image = "[[ $nowhere ]]" }', // 32
    '    }', // 33
    '[[ range $i, $each := var "extra_images" . ]]', // 34
    '    task "extra-[[ $i ]]" {', // 35
    '      config { image = "[[ $each ]]" }', // 36
    '    }', // 37
    '[[ end ]]', // 38
    '  }', // 39
    '}', // 40
    '',
  ].join('\n'),
  [VARIABLES]: [
    'variable "ledger_image" {', // 1
    '  type    = string', // 2
    '  default = "registry.example.test/team/ledger:3.4.1"', // 3
    '}', // 4
    'variable "agent_image" {', // 5
    '  default = "registry.example.test/team/agent:0.9.0"', // 6
    '}', // 7
    'variable "proxy_tag" {', // 8
    '  default = "2.11.0"', // 9
    '}', // 10
    'variable "no_default" {', // 11
    '  type = string', // 12
    '}', // 13
    '',
  ].join('\n'),
};
const scan = (files: Record<string, string>) => scanSources(Object.entries(files).map(([name, text]) => sourceFile(name, new Uint8Array(Buffer.from(text)))));
const D1 = `sha256:${'1'.repeat(64)}`;
const proposal = (tag: string, digest: string): Proposal => ({ tag, digest, updateType: 'patch', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] });

describe('Nomad Pack template variables', () => {
  const scanned = scan(FILES);

  it('resolves a template variable set once from one pack variable, and names why any other stays templated', () => {
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail])).toEqual([
      [TEMPLATE, 12, 'registry.example.test/team/ledger:3.4.1', null, `task "ledger"; pack variable ledger_image (${VARIABLES}:3) through $image`],
      [TEMPLATE, 16, 'registry.example.test/team/agent:0.9.0', null, `task "agent"; pack variable agent_image (${VARIABLES}:6) through $agent`],
      [TEMPLATE, 20, 'registry.example.test/edge/proxy:2.11.0', null, `task "proxy"; pack variable proxy_tag (${VARIABLES}:9) through $tag`],
      [TEMPLATE, 23, '[[ $built ]]', 'templated', 'task "built"; template variable $built is not set from a pack variable alone'],
      [TEMPLATE, 26, '[[ $twice ]]', 'templated', 'task "twice"; template variable $twice is set more than once'],
      [TEMPLATE, 29, '[[ $bare ]]', 'templated', `task "bare"; pack variable no_default (${VARIABLES}:11): it has no default`],
      [TEMPLATE, 32, '[[ $nowhere ]]', 'templated', 'task "unset"; template variable $nowhere is not set in this template'],
      [TEMPLATE, 36, '[[ $each ]]', 'templated', 'task "extra-[[ $i ]]"; template variable $each is not set from a pack variable alone'],
    ]);
  });

  it('records the defaults in variables.hcl as the spans to edit', () => {
    const spans = scanned.references
      .filter((reference) => reference.skip === null)
      .map((reference) => reference.spans.map((span) => [span.file ?? reference.file, span.role, span.text, span.line, span.use ?? null]));
    expect(spans).toEqual([
      [[VARIABLES, 'reference', 'registry.example.test/team/ledger:3.4.1', 3, null]],
      [[VARIABLES, 'reference', 'registry.example.test/team/agent:0.9.0', 6, null]],
      [
        [TEMPLATE, 'template', 'registry.example.test/edge/proxy:[[ $tag ]]', 20, null],
        [VARIABLES, 'variable', '2.11.0', 9, '[[ $tag ]]'],
      ],
    ]);
  });

  it('edits the defaults, pins after the template, and verifies both files together', () => {
    const byName = new Map(dependenciesOf(scanned.references).map((dependency) => [`${dependency.location.repository}:${dependency.tag}`, dependency]));
    const plan = planUpdates([
      { dependency: byName.get('team/ledger:3.4.1')!, update: proposal('3.4.2', D1), held: [], error: null },
      { dependency: byName.get('edge/proxy:2.11.0')!, update: proposal('2.11.1', D1), held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    expect(verifyEdits(plan.fileEdits, scanned).map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      [TEMPLATE, FILES[TEMPLATE]!.replace('proxy:[[ $tag ]]"', `proxy:[[ $tag ]]@${D1}"`)],
      [VARIABLES, FILES[VARIABLES]!.replace('"registry.example.test/team/ledger:3.4.1"', `"registry.example.test/team/ledger:3.4.2@${D1}"`).replace('"2.11.0"', '"2.11.1"')],
    ]);
  });

  it('reads a pack variable file through the template variable too', () => {
    const withValues = scan({ ...FILES, 'packs/ledger/examples/pinned.hcl': 'ledger_image = "registry.example.test/team/ledger:3.5.0"\n' });
    expect(
      withValues.references
        .filter((reference) => reference.file.includes('/examples/'))
        .map((reference) => [reference.line, reference.value, reference.skip, reference.spans.map((span) => [span.role, span.text])]),
    ).toEqual([[1, 'registry.example.test/team/ledger:3.5.0', null, [['reference', 'registry.example.test/team/ledger:3.5.0']]]]);
  });
});

/** Nomad Pack images written with `[[ printf … ]]`: resolved through the pack's variables, edited in variables.hcl. */
import { describe, expect, it } from 'vitest';
import { dependenciesOf, type Proposal } from '../../src/core/dependency.js';
import { sourceFile } from '../../src/core/source-file.js';
import { planUpdates } from '../../src/plan/plan-updates.js';
import { scanSources, verifyEdits } from '../../src/pipeline/pipeline.js';

const TEMPLATE = 'packs/queue/templates/queue.nomad.tpl';
const VARIABLES = 'packs/queue/variables.hcl';
const FILES: Record<string, string> = {
  [TEMPLATE]: [
    'job "queue" {', // 1
    '  group "broker" {', // 2
    '    task "broker" {', // 3
    '      driver = "docker"', // 4
    '      config { image = "[[ printf "%s:%s" .my_pack.broker_image .my_pack.broker_tag ]]" }', // 5
    '    }', // 6
    '    task "metrics" {', // 7
    '      config {', // 8
    '        image = [[ printf "%s/exporter:%s-alpine" (var "mirror" .) (var "exporter_tag" .) | quote ]]', // 9
    '      }', // 10
    '    }', // 11
    '    task "shell" {', // 12
    '      config { image = "[[ printf "busybox:%s" .my_pack.shell_tag ]]" }', // 13
    '    }', // 14
    '    task "agent" {', // 15
    '      config { image = "[[ printf "%s:%s" .my_pack.broker_image (env "AGENT_TAG") ]]" }', // 16
    '    }', // 17
    '    task "sidecar" {', // 18
    '      config { image = "[[ printf "%s:%d" .my_pack.broker_image .my_pack.port ]]" }', // 19
    '    }', // 20
    '    task "relay" {', // 21
    '      config {', // 22
    '        image = [[ printf "\\"registry.example.test/relay:%s\\"" (var "relay_tag" .) ]]', // 23
    '        args  = [[ printf "\\"--level=%s\\n\\"" (var "exporter_tag" .) ]]', // 24
    '      }', // 25
    '    }', // 26
    '    task "tail" {', // 27
    '      config { image = [[ printf "\\"busybox:%s\\n\\"" .my_pack.broker_tag ]] }', // 28
    '    }', // 29
    '  }', // 30
    '}', // 31
    '',
  ].join('\n'),
  [VARIABLES]: [
    'variable "broker_image" {', // 1
    '  type    = string', // 2
    '  default = "rabbitmq"', // 3
    '}', // 4
    'variable "broker_tag" {', // 5
    '  default = "3.13.7-management"', // 6
    '}', // 7
    'variable "mirror" {', // 8
    '  default = "registry.example.test/hub"', // 9
    '}', // 10
    'variable "exporter_tag" {', // 11
    '  default = "1.0.0"', // 12
    '}', // 13
    'variable "shell_tag" {', // 14
    '  description = "Set it to run a debug shell."', // 15
    '}', // 16
    'variable "port" {', // 17
    '  default = 5672', // 18
    '}', // 19
    'variable "relay_tag" {', // 20
    '  default = "0.9.2"', // 21
    '}', // 22
    '',
  ].join('\n'),
};
const scan = (files: Record<string, string>) => scanSources(Object.entries(files).map(([name, text]) => sourceFile(name, new Uint8Array(Buffer.from(text)))));
const D1 = `sha256:${'1'.repeat(64)}`;
const proposal = (tag: string, digest: string): Proposal => ({ tag, digest, updateType: 'patch', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] });

describe('Nomad Pack printf images', () => {
  const scanned = scan(FILES);

  it('resolves a printf whose every argument is a pack variable with a default, and names the variable or argument that stops it', () => {
    expect(scanned.references.map((reference) => [reference.line, reference.value, reference.skip, reference.detail])).toEqual([
      [5, 'rabbitmq:3.13.7-management', null, `task "broker"; pack variable broker_image (${VARIABLES}:3), broker_tag (${VARIABLES}:6)`],
      [9, 'registry.example.test/hub/exporter:1.0.0-alpine', null, `task "metrics"; pack variable mirror (${VARIABLES}:9), exporter_tag (${VARIABLES}:12)`],
      [13, '[[ printf "busybox:%s" .my_pack.shell_tag ]]', 'templated', `task "shell"; pack variable shell_tag (${VARIABLES}:14): it has no default`],
      [
        16,
        '[[ printf "%s:%s" .my_pack.broker_image (env "AGENT_TAG") ]]',
        'templated',
        'task "agent"; [[ printf "%s:%s" .my_pack.broker_image (env "AGENT_TAG") ]]: printf argument (env "AGENT_TAG") is not a pack variable',
      ],
      [19, '[[ printf "%s:%d" .my_pack.broker_image .my_pack.port ]]', 'templated', 'task "sidecar"; [[ printf "%s:%d" .my_pack.broker_image .my_pack.port ]]: printf with %d, archpin reads only %s'],
      [23, 'registry.example.test/relay:0.9.2', null, `task "relay"; pack variable relay_tag (${VARIABLES}:21)`],
      [
        28,
        '[[ printf "\\"busybox:%s\\n\\"" .my_pack.broker_tag ]]',
        'templated',
        'task "tail"; [[ printf "\\"busybox:%s\\n\\"" .my_pack.broker_tag ]]: printf with escapes in its format, archpin reads only a format wrapped in \\"…\\"',
      ],
    ]);
    expect(scanned.references[0]!.spans.map((span) => [span.role, span.file ?? null, span.text, span.use ?? null])).toEqual([
      ['template', null, '[[ printf "%s:%s" .my_pack.broker_image .my_pack.broker_tag ]]', null],
      ['variable', VARIABLES, 'rabbitmq', '.my_pack.broker_image'],
      ['variable', VARIABLES, '3.13.7-management', '.my_pack.broker_tag'],
    ]);
  });

  it('edits the one default that holds the new tag, pins after the printf, and verifies both files together', () => {
    const byName = new Map(dependenciesOf(scanned.references).map((dependency) => [`${dependency.location.repository}:${dependency.tag}`, dependency]));
    const plan = planUpdates([
      { dependency: byName.get('library/rabbitmq:3.13.7-management')!, update: proposal('3.13.8-management', D1), held: [], error: null },
      { dependency: byName.get('hub/exporter:1.0.0-alpine')!, update: { ...proposal('1.1.0-alpine', D1), tagOnly: true }, held: [], error: null },
      { dependency: byName.get('relay:0.9.2')!, update: proposal('0.9.3', D1), held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    expect(plan.updates.map((update) => [update.line, update.to])).toEqual([
      [5, `rabbitmq:3.13.8-management@${D1}`],
      [9, 'registry.example.test/hub/exporter:1.1.0-alpine'],
      [23, 'registry.example.test/relay:0.9.3'],
    ]);
    // The printf writes the quotes itself: nothing can follow it, so the tag moves and no pin is written.
    expect(plan.unpinned.map((note) => [note.line, note.message])).toEqual([[23, 'digests are not pinned in a Nomad Pack image whose printf writes the quotes: nothing can follow it']]);
    const outcomes = verifyEdits(plan.fileEdits, scanned);
    expect(outcomes.map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      [TEMPLATE, FILES[TEMPLATE]!.replace('.my_pack.broker_tag ]]" }', `.my_pack.broker_tag ]]@${D1}" }`)],
      [VARIABLES, FILES[VARIABLES]!.replace('"3.13.7-management"', '"3.13.8-management"').replace('"1.0.0"', '"1.1.0"').replace('"0.9.2"', '"0.9.3"')],
    ]);
  });
});

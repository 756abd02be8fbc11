import { describe, expect, it } from 'vitest';
import { dependenciesOf, type Proposal } from '../../src/core/dependency.js';
import { sourceFile } from '../../src/core/source-file.js';
import { planUpdates } from '../../src/plan/plan-updates.js';
import { scanSources, verifyEdits } from '../../src/pipeline/pipeline.js';

const D1 = `sha256:${'e'.repeat(64)}`;

const proposal = (tag: string, digest: string): Proposal => ({ tag, digest, updateType: 'minor', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] });

function scan(files: Record<string, string>) {
  return scanSources(Object.entries(files).map(([path, text]) => sourceFile(path, new Uint8Array(Buffer.from(text)))));
}

const rows = (files: Record<string, string>) => scan(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null]);

/** A Dockerfile whose `FROM` lines give their own defaults, as BuildKit expands them. */
const DOCKERFILE = [
  'ARG TOOLS_VERSION', // 1
  'ARG BASE_TAG=3.21', // 2
  'ARG EMPTY_TAG=', // 3
  'FROM registry.example.test/team/tools:${TOOLS_VERSION:-2.4.1} AS tools', // 4
  'FROM registry.example.test/os/base:${BASE_TAG:-3.19}', // 5
  'FROM registry.example.test/os/slim:${EMPTY_TAG:-1.8}', // 6
  'FROM registry.example.test/os/mini:${NOT_DECLARED-0.9.2}', // 7
  'FROM registry.example.test/os/full:${BASE_TAG:+3.19}', // 8
  'COPY --from=tools /bin/tool /bin/tool', // 9
  '',
].join('\n');

describe('a Dockerfile default written in the use (`${VAR:-default}`, `${VAR-default}`)', () => {
  it('is the value when nothing sets the variable; an ARG default comes first; other forms stay templated', () => {
    expect(rows({ 'images/Dockerfile': DOCKERFILE })).toEqual([
      ['images/Dockerfile', 4, 'registry.example.test/team/tools:2.4.1', null, 'default of ${TOOLS_VERSION}; a build argument may set another value'],
      ['images/Dockerfile', 5, 'registry.example.test/os/base:3.21', null, null],
      ['images/Dockerfile', 6, 'registry.example.test/os/slim:1.8', null, 'default of ${EMPTY_TAG}; a build argument may set another value'],
      ['images/Dockerfile', 7, 'registry.example.test/os/mini:0.9.2', null, 'default of ${NOT_DECLARED}'],
      ['images/Dockerfile', 8, 'registry.example.test/os/full:${BASE_TAG:+3.19}', 'templated', null],
    ]);
  });

  it('is shown, not edited, when a compose service or bake target of the repository passes that build argument', () => {
    const dockerfile = 'ARG TOOLS_VERSION\nFROM registry.example.test/team/tools:${TOOLS_VERSION:-2.4.1}\n';
    const compose = ['services:', '  tools:', '    build:', '      context: tools/', '      args:', '        TOOLS_VERSION: ${TOOLS_VERSION}', ''].join('\n');
    const bake = ['target "tools" {', '  context = "tools"', '  args = {', '    TOOLS_VERSION = "2.5.0"', '  }', '}', ''].join('\n');
    const passed = (where: string) => [
      'tools/Dockerfile',
      2,
      'registry.example.test/team/tools:2.4.1',
      'templated',
      `default of \${TOOLS_VERSION}, but ${where} passes TOOLS_VERSION as a build argument, so that build may use another value: shown, not edited`,
    ];
    expect(rows({ 'tools/Dockerfile': dockerfile, 'compose.yaml': compose })).toEqual([passed('compose.yaml:6')]);
    expect(rows({ 'tools/Dockerfile': dockerfile, 'docker-bake.hcl': bake })).toEqual([passed('docker-bake.hcl:4')]);
    // A variable no ARG declares cannot be set by a build argument: its default is what every build uses.
    expect(rows({ 'tools/Dockerfile': 'FROM registry.example.test/team/tools:${TOOLS_VERSION:-2.4.1}\n', 'compose.yaml': compose })).toEqual([
      ['tools/Dockerfile', 1, 'registry.example.test/team/tools:2.4.1', null, 'default of ${TOOLS_VERSION}'],
    ]);
  });

  it('an update writes the new tag inside the braces and a pin after the reference; the re-scan finds it', () => {
    const scanned = scan({ 'images/Dockerfile': DOCKERFILE });
    const byValue = new Map(dependenciesOf(scanned.references).map((dependency) => [`${dependency.location.repository}:${dependency.tag}`, dependency]));
    const plan = planUpdates([
      { dependency: byValue.get('team/tools:2.4.1')!, update: proposal('2.5.0', D1), held: [], error: null },
      { dependency: byValue.get('os/mini:0.9.2')!, update: proposal('0.10.0', D1), held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    expect(plan.fileEdits.map((file) => file.edits.map((edit) => [edit.expected, edit.replacement]))).toEqual([
      [
        ['registry.example.test/team/tools:${TOOLS_VERSION:-2.4.1}', `registry.example.test/team/tools:\${TOOLS_VERSION:-2.5.0}@${D1}`],
        ['registry.example.test/os/mini:${NOT_DECLARED-0.9.2}', `registry.example.test/os/mini:\${NOT_DECLARED-0.10.0}@${D1}`],
      ],
    ]);
    const outcomes = verifyEdits(plan.fileEdits, scanned);
    expect(outcomes.map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      ['images/Dockerfile', DOCKERFILE.replace('${TOOLS_VERSION:-2.4.1}', `\${TOOLS_VERSION:-2.5.0}@${D1}`).replace('${NOT_DECLARED-0.9.2}', `\${NOT_DECLARED-0.10.0}@${D1}`)],
    ]);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dependenciesOf, type Proposal } from '../../src/core/dependency.js';
import { sourceFile } from '../../src/core/source-file.js';
import { planUpdates } from '../../src/plan/plan-updates.js';
import { scanSources, verifyEdits } from '../../src/pipeline/pipeline.js';

const PACKS = path.resolve(import.meta.dirname, '../../fixtures/nomad-pack');
const PACK_FILES = [
  'packs/kv_cache/metadata.hcl',
  'packs/kv_cache/variables.hcl',
  'packs/kv_cache/templates/kv_cache.nomad.tpl',
  'packs/legacy_web/variables.hcl',
  'packs/legacy_web/templates/legacy_web.nomad.tpl',
];
const read = (name: string): string => readFileSync(path.join(PACKS, name), 'utf8');
const scan = (files: Record<string, string>) => scanSources(Object.entries(files).map(([name, text]) => sourceFile(name, new Uint8Array(Buffer.from(text)))));
const FILES = Object.fromEntries(PACK_FILES.map((name) => [name, read(name)]));

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const proposal = (tag: string, digest: string): Proposal => ({ tag, digest, updateType: 'patch', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] });

describe('Nomad Pack templates', () => {
  const scanned = scan(FILES);

  it('reads image lines by line, resolving pack variables from variables.hcl and naming the ones it cannot', () => {
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail])).toEqual([
      [
        'packs/kv_cache/templates/kv_cache.nomad.tpl',
        12,
        '[[ var "init_image" . ]]',
        'templated',
        'task "prepare"; pack variable init_image (packs/kv_cache/variables.hcl:30): its default is not a plain literal',
      ],
      ['packs/kv_cache/templates/kv_cache.nomad.tpl', 20, 'valkey/valkey:8.0.1-alpine', null, 'task "server"; pack variable cache_image (packs/kv_cache/variables.hcl:10)'],
      [
        'packs/kv_cache/templates/kv_cache.nomad.tpl',
        35,
        'oliver006/redis_exporter:v1.66.0',
        null,
        'task "exporter"; pack variable exporter.repository (packs/kv_cache/variables.hcl:20), exporter.version (packs/kv_cache/variables.hcl:21)',
      ],
      ['packs/kv_cache/templates/kv_cache.nomad.tpl', 41, 'alpine:[[ var "debug_tag" . ]]', 'templated', 'task "debug"; pack variable debug_tag (packs/kv_cache/variables.hcl:25): it has no default'],
      ['packs/kv_cache/templates/kv_cache.nomad.tpl', 48, 'docker.io/library/busybox:1.37.0', null, 'task "sidecar"'],
      ['packs/legacy_web/templates/legacy_web.nomad.tpl', 6, 'nginx:1.27.3-alpine', null, 'task "nginx"; pack variable version_tag (packs/legacy_web/variables.hcl:4)'],
      ['packs/legacy_web/templates/legacy_web.nomad.tpl', 12, '[[ .my.missing ]]', 'templated', 'task "helper"; pack variable missing is not declared in packs/legacy_web/variables.hcl'],
    ]);
  });

  it('records the literals in variables.hcl as the spans to edit', () => {
    const spans = scanned.references
      .filter((reference) => reference.skip === null)
      .map((reference) => reference.spans.map((span) => [span.file ?? reference.file, span.role, span.text, span.line, span.use ?? null]));
    expect(spans).toEqual([
      [['packs/kv_cache/variables.hcl', 'reference', 'valkey/valkey:8.0.1-alpine', 10, null]],
      [
        ['packs/kv_cache/templates/kv_cache.nomad.tpl', 'template', '[[ var "exporter.repository" . ]]:[[ var "exporter.version" . ]]', 35, null],
        ['packs/kv_cache/variables.hcl', 'variable', 'oliver006/redis_exporter', 20, '[[ var "exporter.repository" . ]]'],
        ['packs/kv_cache/variables.hcl', 'variable', 'v1.66.0', 21, '[[ var "exporter.version" . ]]'],
      ],
      [['packs/kv_cache/templates/kv_cache.nomad.tpl', 'reference', 'docker.io/library/busybox:1.37.0', 48, null]],
      [
        ['packs/legacy_web/templates/legacy_web.nomad.tpl', 'template', 'nginx:[[ .my.version_tag ]]-alpine', 6, null],
        ['packs/legacy_web/variables.hcl', 'variable', '1.27.3', 4, '[[ .my.version_tag ]]'],
      ],
    ]);
  });

  it('edits the defaults in variables.hcl, pins after the template, and verifies both files together', () => {
    const byName = new Map(dependenciesOf(scanned.references).map((dependency) => [`${dependency.location.repository}:${dependency.tag}`, dependency]));
    const plan = planUpdates([
      { dependency: byName.get('valkey/valkey:8.0.1-alpine')!, update: proposal('8.0.2-alpine', D1), held: [], error: null },
      { dependency: byName.get('oliver006/redis_exporter:v1.66.0')!, update: proposal('v1.67.0', D2), held: [], error: null },
      { dependency: byName.get('library/nginx:1.27.3-alpine')!, update: { ...proposal('1.27.4-alpine', D1), tagOnly: true }, held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    const outcomes = verifyEdits(plan.fileEdits, scanned);
    expect(outcomes.map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      ['packs/kv_cache/templates/kv_cache.nomad.tpl', FILES['packs/kv_cache/templates/kv_cache.nomad.tpl']!.replace('[[ var "exporter.version" . ]]" }', `[[ var "exporter.version" . ]]@${D2}" }`)],
      ['packs/kv_cache/variables.hcl', FILES['packs/kv_cache/variables.hcl']!.replace('"valkey/valkey:8.0.1-alpine"', `"valkey/valkey:8.0.2-alpine@${D1}"`).replace('"v1.66.0"', '"v1.67.0"')],
      ['packs/legacy_web/variables.hcl', FILES['packs/legacy_web/variables.hcl']!.replace('"1.27.3"', '"1.27.4"')],
    ]);
  });

  it('fails the change, saying why, when the template no longer uses the variable it was read through', () => {
    const byName = new Map(dependenciesOf(scanned.references).map((dependency) => [`${dependency.location.repository}:${dependency.tag}`, dependency]));
    const plan = planUpdates([{ dependency: byName.get('library/nginx:1.27.3-alpine')!, update: { ...proposal('1.27.4-alpine', D1), tagOnly: true }, held: [], error: null }]);
    const template = 'packs/legacy_web/templates/legacy_web.nomad.tpl';
    const changed = scan({ ...FILES, [template]: FILES[template]!.replace('nginx:[[ .my.version_tag ]]-alpine', 'nginx:1.27.3-alpine') });
    expect(verifyEdits(plan.fileEdits, { ...scanned, rescan: changed.rescan, files: changed.files }).map((outcome) => [outcome.file, outcome.ok ? 'ok' : outcome.reason])).toEqual([
      [template, 're-scan did not find docker.io/library/nginx:1.27.4-alpine on line 6'],
      ['packs/legacy_web/variables.hcl', `not changed: it goes with ${template}, where re-scan did not find docker.io/library/nginx:1.27.4-alpine on line 6`],
    ]);
  });

  it('reads no pack variables without a variables.hcl, and never reads heredoc bodies', () => {
    const only = scan({
      'jobs/templates/web.nomad.tpl':
        'job "web" {\n  task "web" {\n    config {\n      image = "nginx:[[ var "tag" . ]]"\n    }\n    template {\n      data = <<-EOT\n      image = "skipped:1"\n      EOT\n    }\n  }\n}\n',
    });
    expect(only.references.map((reference) => [reference.line, reference.value, reference.skip, reference.detail])).toEqual([
      [4, 'nginx:[[ var "tag" . ]]', 'templated', 'task "web"; pack variable tag: no variables.hcl beside templates/'],
    ]);
  });
});

describe('Nomad Pack variable files', () => {
  const files = {
    ...FILES,
    'packs/kv_cache/examples/pinned.hcl': read('packs/kv_cache/examples/pinned.hcl'),
    'packs/kv_cache/examples/exporter-tag.hcl': read('packs/kv_cache/examples/exporter-tag.hcl'),
  };
  const scanned = scan(files);
  const inVarFiles = scanned.references.filter((reference) => reference.file.includes('/examples/'));

  it('reports the images the templates build from the values a variable file sets, at the first of them', () => {
    expect(inVarFiles.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.spans.map((span) => [span.role, span.text, span.line])])).toEqual([
      ['packs/kv_cache/examples/exporter-tag.hcl', 2, 'oliver006/redis_exporter:v1.66.1', 'templated', [['variable', 'v1.66.1', 2]]],
      ['packs/kv_cache/examples/pinned.hcl', 4, 'valkey/valkey:8.0.2-alpine', null, [['reference', 'valkey/valkey:8.0.2-alpine', 4]]],
      [
        'packs/kv_cache/examples/pinned.hcl',
        7,
        'oliver006/redis_exporter:v1.67.0',
        null,
        [
          ['repository', 'oliver006/redis_exporter', 7],
          ['tag', 'v1.67.0', 8],
        ],
      ],
    ]);
    expect(inVarFiles[0]?.detail).toBe('pack template packs/kv_cache/templates/kv_cache.nomad.tpl; built with values set elsewhere, not edited from here');
  });

  it('edits the values in the variable file itself, verified by a re-scan', () => {
    const byName = new Map(dependenciesOf(inVarFiles).map((dependency) => [`${dependency.location.repository}:${dependency.tag}`, dependency]));
    const plan = planUpdates([
      { dependency: byName.get('valkey/valkey:8.0.2-alpine')!, update: proposal('8.0.3-alpine', D1), held: [], error: null },
      { dependency: byName.get('oliver006/redis_exporter:v1.67.0')!, update: { ...proposal('v1.68.0', D2), tagOnly: true }, held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    const file = 'packs/kv_cache/examples/pinned.hcl';
    expect(verifyEdits(plan.fileEdits, scanned).map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      [file, files[file].replace('"valkey/valkey:8.0.2-alpine"', `"valkey/valkey:8.0.3-alpine@${D1}"`).replace('"v1.67.0"', '"v1.68.0"')],
    ]);
  });
});

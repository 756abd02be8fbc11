import { describe, expect, it } from 'vitest';
import { dependenciesOf, type Proposal } from '../../src/core/dependency.js';
import { sourceFile } from '../../src/core/source-file.js';
import { scanSources, verifyEdits } from '../../src/pipeline/pipeline.js';
import { planUpdates } from '../../src/plan/plan-updates.js';

/** A job whose tasks are made by `dynamic "task"` blocks over a locals map, a variable's list and an inline map. */
const job = [
  'locals {',
  '  services = {',
  '    web   = { image = "registry.example.test/web:2.1.0", port = 8080 }',
  '    "api" = { image = "docker://registry.example.test/api:1.4", enabled = true }',
  '    side  = { port = 9000 }',
  '  }',
  '}',
  '',
  'variable "tools" {',
  '  default = ["registry.example.test/tool-a:0.3", "registry.example.test/tool-b:${var.v}"]',
  '}',
  '',
  'job "shop" {',
  '  group "app" {',
  '    dynamic "task" {',
  '      for_each = local.services',
  '      labels   = [task.key]',
  '      content {',
  '        driver = "docker"',
  '        config {',
  '          image = task.value.image',
  '        }',
  '      }',
  '    }',
  '    dynamic "task" {',
  '      for_each = toset(var.tools)',
  '      iterator = tool',
  '      labels   = [tool.key]',
  '      content {',
  '        config { image = "${tool.value}" }',
  '      }',
  '    }',
  '    dynamic "task" {',
  '      for_each = { a = { image = "registry.example.test/inline:5" } }',
  '      content {',
  '        config { image = task.value["image"] }',
  '      }',
  '    }',
  '    dynamic "task" {',
  '      for_each = data.catalog',
  '      content {',
  '        config { image = task.value.image }',
  '      }',
  '    }',
  '    dynamic "task" {',
  '      for_each = local.services',
  '      content {',
  '        config { image = "${task.value.image}-debug" }',
  '      }',
  '    }',
  '  }',
  '}',
  '',
].join('\n');

const scanned = scanSources([sourceFile('jobs/shop.nomad', new Uint8Array(Buffer.from(job)))]);

describe('nomad dynamic tasks over literal elements', () => {
  it('reports each element the image reads, where the element writes it; an iteration it cannot know stays templated at the use', () => {
    expect(scanned.references.map((reference) => [reference.line, reference.column, reference.value, reference.skip, reference.detail])).toEqual([
      [3, 24, 'registry.example.test/web:2.1.0', null, 'dynamic "task", for_each local.services'],
      [4, 33, 'registry.example.test/api:1.4', null, 'dynamic "task", for_each local.services'],
      [10, 15, 'registry.example.test/tool-a:0.3', null, 'dynamic "task", for_each var.tools'],
      [10, 51, 'registry.example.test/tool-b:${var.v}', 'templated', 'dynamic "task", for_each var.tools'],
      [34, 35, 'registry.example.test/inline:5', null, 'dynamic "task", for_each a literal'],
      [42, 26, 'task.value.image', 'templated', 'dynamic "task"'],
      [48, 27, '${task.value.image}-debug', 'templated', 'dynamic "task"'],
    ]);
    expect(scanned.problems).toEqual([]);
  });

  it('updates an element in place, its transport and the rest of the file untouched, verified by a re-scan', () => {
    const D1 = `sha256:${'1'.repeat(64)}`;
    const proposal = (tag: string): Proposal => ({ tag, digest: D1, updateType: 'minor', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] });
    const byName = new Map(dependenciesOf(scanned.references).map((dependency) => [`${dependency.location.repository}:${dependency.tag ?? ''}`, dependency]));
    const plan = planUpdates([
      { dependency: byName.get('api:1.4')!, update: proposal('1.5'), held: [], error: null },
      { dependency: byName.get('tool-a:0.3')!, update: proposal('0.4'), held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    expect(verifyEdits(plan.fileEdits, scanned).map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      ['jobs/shop.nomad', job.replace('docker://registry.example.test/api:1.4', `docker://registry.example.test/api:1.5@${D1}`).replace('tool-a:0.3', `tool-a:0.4@${D1}`)],
    ]);
  });
});

/** Groups made by `dynamic "group"`, whose tasks pick their image from a map local by the group's (or task's) key or value. */
const regions = [
  'locals {',
  '  sites = {',
  '    "north" = "edge-n"',
  '    "south" = "edge-s"',
  '  }',
  '  builds = {',
  '    edge-n = "registry.example.test/relay:3.2"',
  '    edge-s = "registry.example.test/relay:3.1"',
  '    spare  = "registry.example.test/relay:2.9"',
  '  }',
  '  sidecars = {',
  '    north = { image = "registry.example.test/probe:1.0" }',
  '  }',
  '  agents = { collector = { name = "edge-n" } }',
  '}',
  '',
  'job "relay" {',
  '  dynamic "group" {',
  '    for_each = local.sites',
  '    content {',
  '      dynamic "task" {',
  '        for_each = local.agents',
  '        content {',
  '          driver = "docker"',
  '          config { image = local.builds[group.value] }',
  '        }',
  '      }',
  '      task "probe" {',
  '        config { image = "${local.sidecars[group.key].image}" }',
  '      }',
  '      dynamic "task" {',
  '        for_each = local.agents',
  '        iterator = agent',
  '        content {',
  '          config { image = var.unknown[agent.value.name] }',
  '        }',
  '      }',
  '      dynamic "task" {',
  '        for_each = local.agents',
  '        content {',
  '          config { image = local.builds[task.value.name] }',
  '        }',
  '      }',
  '    }',
  '  }',
  '  dynamic "group" {',
  '    for_each = data.sites',
  '    content {',
  '      task "relay" {',
  '        config { image = local.builds[group.value] }',
  '      }',
  '    }',
  '  }',
  '}',
  '',
].join('\n');

const nested = scanSources([sourceFile('jobs/relay.nomad', new Uint8Array(Buffer.from(regions)))]);

describe('nomad map lookups keyed by a dynamic iterator', () => {
  it('reports each entry the lookup reaches where the map writes it, for the enclosing dynamic group too; an unknown key or map stays templated at the use', () => {
    expect(nested.references.map((reference) => [reference.line, reference.column, reference.value, reference.skip, reference.detail])).toEqual([
      [7, 15, 'registry.example.test/relay:3.2', null, 'dynamic "task", local.builds[group.value], dynamic "group" for_each local.sites'],
      [8, 15, 'registry.example.test/relay:3.1', null, 'dynamic "task", local.builds[group.value], dynamic "group" for_each local.sites'],
      [12, 24, 'registry.example.test/probe:1.0', null, 'task "probe", "${local.sidecars[group.key].image}", dynamic "group" for_each local.sites'],
      [35, 28, 'var.unknown[agent.value.name]', 'templated', 'dynamic "task"'],
      [50, 26, 'local.builds[group.value]', 'templated', 'task "relay"'],
    ]);
    expect(nested.problems).toEqual([]);
  });

  it('updates the map entry in place, verified by a re-scan', () => {
    const D2 = `sha256:${'2'.repeat(64)}`;
    const relay = dependenciesOf(nested.references).find((dependency) => dependency.tag === '3.1')!;
    const plan = planUpdates([{ dependency: relay, update: { tag: '3.3', digest: D2, updateType: 'minor', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] }, held: [], error: null }]);
    expect(plan.failures).toEqual([]);
    expect(verifyEdits(plan.fileEdits, nested).map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      ['jobs/relay.nomad', regions.replace('relay:3.1', `relay:3.3@${D2}`)],
    ]);
  });
});

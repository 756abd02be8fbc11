import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { EMPTY_CONTEXT } from '../../src/scan/extractor.js';
import { nomadExtractor } from '../../src/scan/extractors/nomad/nomad.js';

function scan(text: string) {
  return nomadExtractor.extract(sourceFile('deploy/cache.nomad.hcl', Buffer.from(text, 'latin1')), EMPTY_CONTEXT).references;
}

/** A job whose images are built from the fields of object variables, with literal defaults. */
const JOB = [
  'variable "cache" {',
  '  default = {',
  '    name = "cache"',
  '    image = {',
  '      name = "registry.example.test/team/cache"',
  '      tag  = "2.4.1"',
  '    }',
  '  }',
  '}',
  'variable "helper_repo" {',
  '  default = "registry.example.test/team/helper"',
  '}',
  'variable "helper_tag" {',
  '  default = "1.9"',
  '}',
  'variable "sidecar" {',
  '  type    = map(string)',
  '  default = {}',
  '}',
  'job "cache" {',
  '  group "cache" {',
  '    task "warm" {',
  '      driver = "docker"',
  '      config {',
  '        image = join(":", [var.cache.image.name, var.cache.image.tag])',
  '      }',
  '    }',
  '    task "serve" {',
  '      driver = "docker"',
  '      config {',
  '        image = "${var.cache.image.name}:${var.cache.image.tag}"',
  '      }',
  '    }',
  '    task "helper" {',
  '      driver = "docker"',
  '      config {',
  '        image = format("%s:%s", var.helper_repo, var.helper_tag)',
  '      }',
  '    }',
  '    task "sidecar" {',
  '      driver = "docker"',
  '      config {',
  '        image = join(":", [var.sidecar.image, var.sidecar.tag])',
  '      }',
  '    }',
  '    task "mixed" {',
  '      driver = "docker"',
  '      config {',
  '        image = join(":", [var.cache.image.name, var.unknown])',
  '      }',
  '    }',
  '  }',
  '}',
  '',
].join('\n');

describe('a Nomad image that join or format builds from variable defaults', () => {
  it('is resolved through the literal defaults, nested object fields too, and reported where it is used', () => {
    expect(scan(JOB).map((reference) => [reference.line, reference.value, reference.skip])).toEqual([
      [25, 'registry.example.test/team/cache:2.4.1', null],
      [31, 'registry.example.test/team/cache:2.4.1', null],
      [37, 'registry.example.test/team/helper:1.9', null],
      [43, 'join(":", [var.sidecar.image, var.sidecar.tag])', 'templated'],
      [49, 'join(":", [var.cache.image.name, var.unknown])', 'templated'],
    ]);
  });

  it('is edited where the default is written: the tag of the variable', () => {
    const references = scan(JOB);
    const built = references.find((reference) => reference.line === 25)!;
    expect(built.spans.map((span) => [span.role, span.line, span.text])).toEqual([
      ['repository', 5, 'registry.example.test/team/cache'],
      ['tag', 6, '2.4.1'],
    ]);
    const plan = editsForReference(built, { tag: '2.5.0', digest: null });
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    const edited = Buffer.from(applyEdits(Buffer.from(JOB, 'latin1'), plan.edits)).toString('latin1');
    expect(edited).toBe(JOB.replace('tag  = "2.4.1"', 'tag  = "2.5.0"'));
    const formatted = references.find((reference) => reference.line === 37)!;
    const formattedPlan = editsForReference(formatted, { tag: '2.0', digest: null });
    expect(formattedPlan.ok && Buffer.from(applyEdits(Buffer.from(JOB, 'latin1'), formattedPlan.edits)).toString('latin1')).toBe(JOB.replace('default = "1.9"', 'default = "2.0"'));
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../../src/core/source-file.js';
import { EMPTY_CONTEXT } from '../../../src/scan/extractor.js';
import { extractFixtures } from '../../support/fixture-projection.js';
import { nomadExtractor } from '../../../src/scan/extractors/nomad/nomad.js';

const FIXTURES = new URL('../../../fixtures/nomad/', import.meta.url).pathname;

function scan(text: string, path = 'job.nomad') {
  return nomadExtractor.extract(sourceFile(path, Buffer.from(text, 'latin1')), EMPTY_CONTEXT);
}

function values(text: string) {
  return scan(text).references.map((r) => [r.line, r.column, r.value, r.skip]);
}

describe('nomad fixtures', () => {
  it('match expected.json', () => {
    const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8'));
    const { claimed, references, problems } = extractFixtures(nomadExtractor, FIXTURES);
    expect(claimed).toEqual(['broken/cache.nomad', 'deploy/worker.hcl', 'jobs/api.nomad', 'jobs/batch.nomad.hcl']);
    expect(references).toEqual(expected.references);
    expect(problems).toEqual(expected.problems);
  });

  it('spans hold exactly the bytes they name', () => {
    for (const { bytes, span } of extractFixtures(nomadExtractor, FIXTURES).spans) expect(bytes.toString('latin1', span.start, span.end)).toBe(span.text);
  });
});

describe('nomad claims', () => {
  const claims = (path: string, text = '') => nomadExtractor.claims(sourceFile(path, Buffer.from(text)), EMPTY_CONTEXT);

  it('takes .nomad and .nomad.hcl files whatever they hold', () => {
    expect([claims('jobs/api.nomad'), claims('API.NOMAD'), claims('a/b.nomad.hcl'), claims('.nomad')]).toEqual([true, true, true, false]);
  });

  it('takes other .hcl files only with a job and a task block', () => {
    const job = 'job "a" {\n  group "g" {\n    task "t" {}\n  }\n}\n';
    expect(claims('deploy/a.hcl', job)).toBe(true);
    expect(claims('deploy/a.hcl', 'job "a" {\n  type = "batch"\n}\n')).toBe(false);
    expect(claims('terragrunt.hcl', 'inputs = {\n  job_name = "x"\n  task = "y"\n}\n')).toBe(false);
    expect(claims('main.tf', job)).toBe(false);
    expect(claims('job.hcl.txt', job)).toBe(false);
  });

  it('takes .job files only with a job and a task block', () => {
    const job = 'job "cache" {\n  group "g" {\n    task "redis" {\n      driver = "docker"\n      config { image = "redis:7.2" }\n    }\n  }\n}\n';
    expect([claims('apps/cache/nomad.job', job), claims('apps/cache/CACHE.JOB', job), claims('.job', job)]).toEqual([true, true, false]);
    expect(claims('cron/backup.job', '0 3 * * * /usr/local/bin/backup\n')).toBe(false);
    expect(claims('sql/agent.job', 'EXEC msdb.dbo.sp_add_job @job_name = N"nightly"\n')).toBe(false);
    expect(nomadExtractor.isCandidate('apps/cache/nomad.job')).toBe(true);
    const found = nomadExtractor.extract(sourceFile('apps/cache/nomad.job', Buffer.from(job)), EMPTY_CONTEXT).references;
    expect(found.map((r) => [r.line, r.column, r.value, r.kind, r.skip ?? null, r.detail])).toEqual([[5, 25, 'redis:7.2', 'nomad-task', null, 'task "redis"']]);
  });

  it('leaves out a generator placeholder that names no image', () => {
    const job = 'job "__NAME__" {\n  group "g" {\n    task "t" {\n      config { image = "__IMAGE__" }\n    }\n    task "u" {\n      config { image = "__IMAGE__:1.0" }\n    }\n  }\n}\n';
    expect(nomadExtractor.extract(sourceFile('TEMPLATE.job', Buffer.from(job)), EMPTY_CONTEXT).references.map((r) => [r.line, r.value, r.skip])).toEqual([[7, '__IMAGE__:1.0', 'invalid-reference']]);
  });
});

describe('nomad tasks', () => {
  it('follows the driver wherever it is set, and accepts tasks without one', () => {
    const text = [
      'job "j" {',
      '  group "g" {',
      '    task "a" {',
      '      config { image = "a:1" }',
      '      driver = "podman"',
      '    }',
      '    task "b" {',
      '      driver = "exec"',
      '      config { image = "b:1" }',
      '    }',
      '    task "c" { config { image = "c:1" } }',
      '    task "d" {',
      '      driver = "${var.driver}"',
      '      config { image = "d:1" }',
      '    }',
      '  }',
      '}',
    ].join('\n');
    expect(values(text)).toEqual([
      [4, 25, 'a:1', null],
      [11, 34, 'c:1', null],
      [14, 25, 'd:1', null],
    ]);
  });

  it('reads image only as an attribute of a task config block', () => {
    const text = [
      'job "j" {',
      '  image = "top:1"',
      '  group "g" {',
      '    config { image = "group:1" }',
      '    task "t" {',
      '      image = "task:1"',
      '      config {',
      '        logging { image = "nested:1" }',
      '        image = "yes:1"',
      '      }',
      '    }',
      '  }',
      '}',
    ].join('\n');
    expect(values(text)).toEqual([[9, 18, 'yes:1', null]]);
  });

  it('ignores comments of every kind and reads nested templates to their end', () => {
    const text = [
      'job "j" {',
      '  # task "x" { config { image = "hash:1" } }',
      '  // task "y" { config { image = "slash:1" } }',
      '  /* task "z" {',
      '       config { image = "block:1" } } */',
      '  task "t" {',
      '    config {',
      '      image = "${lookup(var.images, "api", "x:{1}")}" # }',
      '    }',
      '  }',
      '  task "u" { config { image = "after:2.0" } }',
      '}',
    ].join('\n');
    expect(values(text)).toEqual([
      [8, 16, '${lookup(var.images, "api", "x:{1}")}', 'templated'],
      [11, 32, 'after:2.0', null],
    ]);
  });

  it('reports expressions and escapes as not editable', () => {
    const text = [
      'task "t" {',
      '  config {',
      '    image = format("%s:%s", var.repo, var.tag)',
      '    image = "app:$${TAG}"',
      '    image = "app:\\u0031"',
      '    image = <<EOT',
      'nginx:1',
      'EOT',
      '  }',
      '}',
    ].join('\n');
    expect(values(text)).toEqual([
      [3, 13, 'format("%s:%s", var.repo, var.tag)', 'templated'],
      [4, 14, 'app:$${TAG}', 'unsupported-quoting'],
      [5, 14, 'app:\\u0031', 'unsupported-quoting'],
      [6, 13, '<<EOT\nnginx:1\nEOT', 'templated'],
    ]);
  });

  it('records the task, and keeps byte offsets right after a BOM and CRLF', () => {
    const text = '\ufeffjob "j" {\r\n  task "web" {\r\n    config {\r\n      image = "nginx:1.27.0"\r\n    }\r\n  }\r\n}\r\n';
    const bytes = Buffer.from(text, 'utf8');
    const [reference] = nomadExtractor.extract(sourceFile('j.nomad', bytes), EMPTY_CONTEXT).references;
    expect(reference?.detail).toBe('task "web"');
    const span = reference!.spans[0]!;
    expect([span.line, span.column, bytes.toString('latin1', span.start, span.end)]).toEqual([4, 16, 'nginx:1.27.0']);
  });
});

describe('nomad malformed input', () => {
  const problem = (text: string) => scan(text).problems.map((p) => [p.line, p.message]);

  it('keeps what came before an unterminated string, comment or heredoc', () => {
    const good = 'task "a" {\n  config { image = "a:1" }\n}\n';
    expect(values(`${good}task "b" {\n  config { image = "b:1 }\n}\n`)).toEqual([[2, 21, 'a:1', null]]);
    expect(problem(`${good}task "b" {\n  config { image = "b:1 }\n}\n`)).toEqual([[5, 'HCL: unterminated string']]);
    expect(problem(`${good}\n/* task "b" {\n`)).toEqual([[5, 'HCL: unterminated comment']]);
    expect(problem(`${good}x = <<-EOT\n  EOTX\n`)).toEqual([[4, 'HCL: unterminated heredoc <<EOT']]);
    expect(problem(`${good}x = "\${var.a\n`)).toEqual([[4, 'HCL: unterminated template in string']]);
    expect(problem(`${good}x = "\${var.a"\n`)).toEqual([[4, 'HCL: unterminated string']]);
  });

  it('reads a heredoc written with a space before its marker, and the tasks after it', () => {
    const job = 'task "a" {\n  template {\n    data = << EOT\nuser {{ key "db/user" }}\nEOT\n  }\n  config { image = "registry.example.test/db-client:2.1" }\n}\n';
    expect(values(job)).toEqual([[7, 21, 'registry.example.test/db-client:2.1', null]]);
    expect(problem(job)).toEqual([]);
  });

  it('reports unbalanced braces and still reads the tasks', () => {
    expect(problem('job "j" {\n  task "a" {\n    config { image = "a:1" }\n  }\n')).toEqual([[1, 'HCL: block "job" is not closed']]);
    expect(values('job "j" {\n  task "a" {\n    config { image = "a:1" }\n  }\n')).toEqual([[3, 23, 'a:1', null]]);
    expect(problem('}\ntask "a" {\n  config { image = "a:1" }\n}\n}\n')).toEqual([[1, 'HCL: unexpected "}"']]);
  });

  it('survives hostile nesting without exhausting the stack', () => {
    expect(scan('task "t" {'.repeat(50_000)).problems.map((p) => p.line)).toEqual([1]);
    expect(scan(`x = ${'"${'.repeat(5_000)}`).problems.map((p) => p.message)).toEqual(['HCL: strings nested too deeply']);
  });

  it('never throws on arbitrary input', () => {
    const unit = fc.constantFrom('task', ' "t" ', '{', '}', 'config', 'image', ' = ', '"', '${', '%{', '<<EOT\n', 'EOT', '\n', '#', '//', '/*', '*/', '\\', 'a:1');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 60 }), (parts) => {
        const result = scan(parts.join(''));
        for (const reference of result.references) expect(reference.kind).toBe('nomad-task');
      }),
      { numRuns: 1000 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

describe('Nomad jobs whose block labels are bare identifiers', () => {
  it('a job file in any folder is read when `job` and `task` are labelled without quotes', () => {
    const job = [
      'job cache-proxy {',
      '  datacenters = ["dc1"]',
      '  group proxy {',
      '    task proxy {',
      '      driver = "docker"',
      '      config {',
      '        image = "registry.example.test/infra/cache-proxy:3.1.0"',
      '      }',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
    const terraform = ['resource "nomad_job" "cache_proxy" {', '  jobspec = file("${path.module}/jobs/cache-proxy.hcl")', '}', ''].join('\n');
    expect(scan({ 'infra/services/jobs/cache-proxy.hcl': job, 'infra/services/jobs.tf': terraform })).toEqual([
      ['infra/services/jobs/cache-proxy.hcl', 7, 'registry.example.test/infra/cache-proxy:3.1.0', 'nomad-task', null],
    ]);
  });

  it('HCL that sets attributes named job and task holds no job', () => {
    expect(scan({ 'ci/settings.hcl': 'job = "nightly"\ntask = "lint"\nimage = "registry.example.test/ci/lint:1.0"\n' })).toEqual([]);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The one YAML document in `file`, failing on any parse error or warning. */
function loadYaml(file: string): Record<string, unknown> {
  const documents = parseAllDocuments(readFileSync(path.join(ROOT, file), 'utf8'));
  if (!Array.isArray(documents)) throw new Error(`${file}: empty`);
  expect(documents).toHaveLength(1);
  const [document] = documents;
  expect(document!.errors.map((error) => error.message)).toEqual([]);
  expect(document!.warnings.map((warning) => warning.message)).toEqual([]);
  return document!.toJS() as Record<string, unknown>;
}

const archpinLine = (script: readonly string[]) => {
  const lines = script
    .flatMap((entry) => entry.split('\n'))
    .map((line) => line.trim())
    .filter((line) => line.startsWith('archpin '));
  expect(lines).toHaveLength(1);
  return lines[0]!;
};

describe('templates/gitlab-ci/archpin.gitlab-ci.yml', () => {
  const ci = loadYaml('templates/gitlab-ci/archpin.gitlab-ci.yml');
  const job = ci.archpin as Record<string, unknown>;

  it('defines the variables and one archpin job', () => {
    expect(Object.keys(ci)).toEqual(['variables', 'archpin']);
    expect(ci.variables).toEqual({
      ARCHPIN_IMAGE: 'registry.example.com/tools/archpin:0.1.0',
      ARCHPIN_TARGETS: '--project $CI_PROJECT_PATH',
      ARCHPIN_CACHE_DIR: '.cache/archpin',
      ARCHPIN_REPORT: 'archpin-report.json',
    });
  });

  it('runs on pipeline schedules (and manually from the web), one run at a time, in a stage that exists by default', () => {
    expect(job.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "schedule"' }, { if: '$CI_PIPELINE_SOURCE == "web"', when: 'manual' }]);
    expect(job.resource_group).toBe('archpin');
    expect(job.stage).toBe('test');
  });

  it('uses the archpin image with a shell entrypoint (the image ENTRYPOINT is archpin)', () => {
    expect(job.image).toEqual({ name: '$ARCHPIN_IMAGE', entrypoint: [''] });
  });

  it('runs `archpin run` against GitLab with GITLAB_TOKEN, never CI_JOB_TOKEN, writing the JSON report', () => {
    const script = job.script as string[];
    expect(archpinLine(script)).toBe('archpin run --forge gitlab --url "$CI_SERVER_URL" $ARCHPIN_TARGETS --cache-dir "$ARCHPIN_CACHE_DIR" --format json > "$ARCHPIN_REPORT" || status=$?');
    expect(script[0]).toMatch(/^test -n "\$GITLAB_TOKEN" \|\| \{ echo .*; exit 2; \}$/);
    expect(script.join('\n')).not.toContain('$CI_JOB_TOKEN');
    expect(script.slice(-2)).toEqual(['cat "$ARCHPIN_REPORT"', 'exit $status']);
  });

  it('keeps the report as an artifact, also when the run fails', () => {
    expect(job.artifacts).toEqual({ when: 'always', expire_in: '30 days', paths: ['archpin-report.json'] });
    expect((ci.variables as Record<string, string>).ARCHPIN_REPORT).toBe('archpin-report.json');
  });

  it('caches the cache directory between runs', () => {
    expect(job.cache).toEqual({ key: 'archpin', when: 'always', paths: ['.cache/archpin/'] });
    expect(`${(ci.variables as Record<string, string>).ARCHPIN_CACHE_DIR}/`).toBe('.cache/archpin/');
  });
});

describe('templates/gitlab-ci/archpin-parallel.gitlab-ci.yml', () => {
  const ci = loadYaml('templates/gitlab-ci/archpin-parallel.gitlab-ci.yml');
  const single = loadYaml('templates/gitlab-ci/archpin.gitlab-ci.yml');
  const job = ci.archpin as Record<string, unknown>;

  it('is the single-job template with parallel: 4, each job taking its shard from CI_NODE_INDEX / CI_NODE_TOTAL', () => {
    expect(ci.variables).toEqual(single.variables);
    expect(job.parallel).toBe(4);
    expect(archpinLine(job.script as string[])).toBe(
      'archpin run --forge gitlab --url "$CI_SERVER_URL" $ARCHPIN_TARGETS --shard "$CI_NODE_INDEX/$CI_NODE_TOTAL" --cache-dir "$ARCHPIN_CACHE_DIR" --format json > "$ARCHPIN_REPORT" || status=$?',
    );
    const { parallel: _parallel, cache, script, ...rest } = job;
    const { resource_group: _group, cache: singleCache, script: singleScript, ...singleRest } = single.archpin as Record<string, unknown>;
    expect(rest).toEqual(singleRest);
    expect((script as string[]).filter((line) => !line.startsWith('archpin '))).toEqual((singleScript as string[]).filter((line) => !line.startsWith('archpin ')));
    expect(cache).toEqual({ ...(singleCache as object), key: 'archpin-$CI_NODE_INDEX-of-$CI_NODE_TOTAL' });
  });

  it('sets no resource_group (it would run the shards one after another)', () => {
    expect(job.resource_group).toBeUndefined();
  });
});

describe('templates/github/archpin.yml', () => {
  const workflow = loadYaml('templates/github/archpin.yml');
  const job = (workflow.jobs as Record<string, Record<string, unknown>>).archpin!;
  const steps = job.steps as Array<Record<string, unknown>>;

  it('runs on a cron schedule and by hand, one run at a time, with write permissions for PRs and the dashboard issue', () => {
    expect(workflow.name).toBe('archpin');
    expect(workflow.on).toEqual({ schedule: [{ cron: '17 6 * * 1-5' }], workflow_dispatch: {} });
    expect(workflow.permissions).toEqual({ contents: 'write', 'pull-requests': 'write', issues: 'write' });
    expect(workflow.concurrency).toEqual({ group: 'archpin', 'cancel-in-progress': false });
  });

  it('installs archpin with the README commands', () => {
    const install = steps.find((step) => step.name === 'Install archpin')!;
    const lines = (install.run as string).trim().split('\n');
    expect(lines.slice(2)).toEqual(['npm install --no-audit --no-fund', 'npm run build', 'npm link']);
  });

  it('restores and saves the cache directory with actions/cache', () => {
    const cache = steps.find((step) => step.uses === 'actions/cache@v4')!;
    expect(cache.with).toEqual({ path: '.cache/archpin', key: 'archpin-${{ github.run_id }}', 'restore-keys': 'archpin-' });
    expect((workflow.env as Record<string, string>).ARCHPIN_CACHE_DIR).toBe('.cache/archpin');
  });

  it('runs `archpin run --forge github` on this repository with the token in GITHUB_TOKEN', () => {
    const run = steps.find((step) => step.name === 'archpin run')!;
    expect(archpinLine([run.run as string])).toBe('archpin run --forge github --repo "$GITHUB_REPOSITORY" --cache-dir "$ARCHPIN_CACHE_DIR" --format json > "$ARCHPIN_REPORT" || status=$?');
    expect(run.env).toEqual({ GITHUB_TOKEN: '${{ secrets.ARCHPIN_TOKEN || github.token }}' });
    expect(steps.indexOf(run)).toBeGreaterThan(steps.findIndex((step) => step.uses === 'actions/cache@v4'));
  });

  it('uploads the JSON report as an artifact, also when the run fails', () => {
    const upload = steps.at(-1)!;
    expect(upload.uses).toBe('actions/upload-artifact@v4');
    expect(upload.if).toBe('always()');
    expect(upload.with).toEqual({ name: 'archpin-report', path: 'archpin-report.json', 'retention-days': 30 });
    expect((workflow.env as Record<string, string>).ARCHPIN_REPORT).toBe('archpin-report.json');
  });
});

import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GITLAB_TEST_TOKEN } from '../support/gitlab-double.js';
import { useScenario } from '../support/scenario.js';
import { startTestServe, until, type Started } from '../bot/serve-support.js';

const scenario = useScenario({ name: 'isolation', seed: true, gitlab: {} });
const running: Started[] = [];

afterAll(async () => {
  for (const started of running) await started.handle.stop();
});

/**
 * A values file just under the YAML node budget: parsing it needs a few hundred MB and more than a
 * second. Its images name a closed loopback port, so nothing leaves the machine should a scan ever
 * finish inside its budget (the test then fails on the good project's merge request).
 */
function heavyValues(): string {
  const parts: string[] = [];
  for (let i = 0; i < 7000; i++)
    parts.push(`svc${i}:\n  enabled: true\n  image:\n    repository: 127.0.0.1:9/acme/service-${i}\n    tag: "1.${i % 20}.0"\n  resources: {limits: {cpu: 100m, memory: 128Mi}}\n  env: [a, b, c]\n`);
  return parts.join('');
}

const metricLines = (text: string, prefix: string) => text.split('\n').filter((line) => line.startsWith(prefix));

describe('serve: one repository over its memory or time budget is skipped, the others go on, /healthz answers', () => {
  // Over time: four such files take several seconds on any machine (about 1.5 s each on a slow
  // one, memory freed between them), four times the budget even where scanning is three times faster.
  it.each([
    ['memory', { memoryMb: 48, timeMs: 120_000 }, 1, 'scanning used more than the 48 MB memory ceiling'],
    ['time', { memoryMb: 1024, timeMs: 1000 }, 4, 'scanning took longer than the 1 s budget'],
  ])(
    'over %s',
    async (kind, isolation, copies, reason) => {
      const group = `iso-${kind}`;
      const heavy = heavyValues();
      const files = Object.fromEntries(Array.from({ length: copies }, (_, i) => [`charts/c${i}/values.yaml`, heavy]));
      const hostile = scenario.gitlab.state.addProject(`${group}/a-hostile`, { files });
      const good = scenario.gitlab.state.addProject(`${group}/b-good`, {
        files: {
          'deploy.yaml': `apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: dind\n          image: ${scenario.host}/library/docker:27.0.3-dind\n`,
        },
      });
      const started = await startTestServe({ forge: 'gitlab', url: scenario.gitlab.url, groups: [group] }, { GITLAB_TOKEN: GITLAB_TEST_TOKEN }, path.join(scenario.work, `cache-${kind}`), {
        concurrency: 1,
        isolation,
      });
      running.push(started);
      const { handle, records } = started;

      // /healthz is asked again and again while the sweep runs. An answer counts as given during the
      // hostile scan when the bot had fetched all of that project's files and had not yet skipped it:
      // the worker was scanning then, and the main thread answered. Order, not speed, is checked.
      const hostileFiles = () => scenario.gitlab.requests.filter((request) => request.path.startsWith(`/projects/${hostile.id}/repository/files/`)).length;
      const skippedYet = () => records().some((record) => record.code === 'repository-over-budget');
      let answers = 0;
      let answersDuringScan = 0;
      let probing = true;
      const probe = (async () => {
        while (probing) {
          const response = await fetch(`${handle.url}/healthz`);
          expect(response.status).toBe(200);
          answers++;
          if (hostileFiles() === copies && !skippedYet()) answersDuringScan++;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
      await handle.sweep();
      await until(() => good.mergeRequests[0], "the good project's merge request", 60_000);
      await handle.idle();
      probing = false;
      await probe;

      expect(answers).toBeGreaterThan(0);
      // A main thread blocked by scanning would answer none while the worker scans.
      expect(answersDuringScan).toBeGreaterThan(0);
      expect(handle.outcomes.map((outcome) => outcome.repository)).toEqual([`${group}/b-good`]);
      const skipped = records().filter((record) => record.code === 'repository-over-budget');
      expect(skipped.map((record) => record.repository)).toEqual([`${group}/a-hostile`]);
      expect(skipped[0]!.msg).toBe(`${group}/a-hostile: ${reason}; the repository is skipped`);
      const metrics = await (await fetch(`${handle.url}/metrics`)).text();
      expect(metricLines(metrics, 'archpin_repositories_processed_total')).toEqual([
        'archpin_repositories_processed_total{result="ok"} 1',
        'archpin_repositories_processed_total{result="over-budget"} 1',
      ]);

      // The hostile project's dashboard says it was skipped and why.
      const dashboards = scenario.gitlab.state.project(hostile.id).issues;
      expect(dashboards.map((issue) => issue.title)).toEqual(['Dependency Dashboard (archpin)']);
      expect(dashboards[0]!.description.split('\n').slice(0, 7)).toEqual([
        'This issue lists the container image updates archpin manages in this repository.',
        '',
        '## Skipped',
        '',
        `archpin did not scan this repository: ${reason}.`,
        '',
        'It is tried again when the default branch moves or the configuration changes. The updates below are from the last run that finished.',
      ]);

      // The next sweep remembers it from the dashboard and does not scan it again at the same commit.
      const head = hostile.branches.get('main')!;
      await handle.sweep();
      await until(() => records().filter((record) => record.code === 'repository-over-budget').length === 2, 'the second skip', 60_000);
      await handle.idle();
      expect(records().filter((record) => record.code === 'repository-over-budget')[1]!.msg).toBe(
        `${group}/a-hostile: ${reason} at ${head.slice(0, 12)} (remembered; tried again when the default branch or the config changes); the repository is skipped`,
      );
      expect(scenario.gitlab.state.project(hostile.id).issues.length).toBe(1);
    },
    120_000,
  );
});

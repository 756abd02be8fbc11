import { describe, expect, it } from 'vitest';
import type { HeldUpdate } from '../../src/core/dependency.js';
import { checkReportJson, renderCheckText, type CheckReport } from '../../src/cli/check-report.js';
import { renderRunText, runReportJson } from '../../src/cli/run.js';

// Held updates are called "held" in the types and the text; the JSON reports keep their key `blocked`
// within "version": 1, so readers of the report keep working (README, Output).
const held: HeldUpdate = {
  image: 'registry.example/acme/app',
  tag: '2.0.0',
  digest: 'sha256:1111111111111111111111111111111111111111111111111111111111111111',
  reasons: [
    { code: 'missing-platforms', missing: ['linux/arm64/v8'], message: 'index lists only linux/amd64; policy requires linux/arm64/v8' },
    { code: 'too-new', message: 'pushed 1 day ago; minimumReleaseAge is 3 days' },
  ],
};

const checkReport: CheckReport = {
  references: [],
  updates: [],
  held: [held],
  errors: [],
  planFailures: [],
  writeFailures: [],
  problems: [],
  diff: '',
  written: false,
  unpinned: [],
};

describe('held updates in the reports', () => {
  it('check --format json: version 1, the held update under `blocked`', () => {
    const json = checkReportJson(checkReport);
    expect(Object.keys(json)).toEqual(['version', 'references', 'updates', 'blocked', 'errors', 'unpinned', 'written', 'registries']);
    expect(json.version).toBe(1);
    expect(json.blocked).toEqual([
      {
        image: 'registry.example/acme/app',
        tag: '2.0.0',
        digest: 'sha256:1111111111111111111111111111111111111111111111111111111111111111',
        reason: 'missing-platforms',
        reasons: ['missing-platforms', 'too-new'],
        missing: ['linux/arm64/v8'],
        message: 'index lists only linux/amd64; policy requires linux/arm64/v8; pushed 1 day ago; minimumReleaseAge is 3 days',
      },
    ]);
  });

  it('check text: "Held back" and "held" in the summary', () => {
    const text = renderCheckText(checkReport, false);
    expect(text.split('\n').filter((line) => /held/i.test(line))).toEqual(['Held back (1):', '0 references (0 updatable), 0 updates, 1 held, 0 errors.']);
    expect(text.split('\n').slice(1, 6)).toEqual([
      '',
      'Held back (1):',
      '  registry.example/acme/app:2.0.0 (sha256:111111111111…)  missing-platforms linux/arm64/v8, too-new',
      '      index lists only linux/amd64; policy requires linux/arm64/v8',
      '      pushed 1 day ago; minimumReleaseAge is 3 days',
    ]);
  });

  it('run --format json: version 1, each repository lists its held updates under `blocked`; the text says "held"', () => {
    const result = { repositories: [{ repository: 'acme/app', changes: [], closed: [], held: [held], errors: [], problems: [], reusedScan: false }], failures: [], notRun: [] };
    const json = runReportJson(result, true);
    expect(json.version).toBe(1);
    expect(json.repositories.map((repository) => Object.keys(repository))).toEqual([['repository', 'changes', 'closed', 'blocked', 'errors', 'reusedScan']]);
    expect(json.repositories[0]?.blocked).toEqual([
      {
        image: 'registry.example/acme/app',
        tag: '2.0.0',
        digest: 'sha256:1111111111111111111111111111111111111111111111111111111111111111',
        reason: 'missing-platforms',
        reasons: ['missing-platforms', 'too-new'],
        message: 'index lists only linux/amd64; policy requires linux/arm64/v8; pushed 1 day ago; minimumReleaseAge is 3 days',
      },
    ]);
    // Each reason's message follows, as in check's text.
    expect(renderRunText(result, true)).toBe(
      [
        'acme/app: 1 held',
        '  held           registry.example/acme/app:2.0.0 (sha256:111111111111…)  missing-platforms linux/arm64/v8, too-new',
        '                     index lists only linux/amd64; policy requires linux/arm64/v8',
        '                     pushed 1 day ago; minimumReleaseAge is 3 days',
        '',
        '1 repositories (dry run: nothing written), 0 failed.',
        '',
      ].join('\n'),
    );
  });
});

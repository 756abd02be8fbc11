import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { DASHBOARD_TITLE, dashboardBody, decodeDashboardState, encodeDashboardState, type DashboardState } from '../../src/plan/dashboard.js';
import { scanFiles } from '../../src/scan/scan-files.js';
import { D1, D5, COMPOSE } from './compose-plan.js';

const references = scanFiles([sourceFile('compose.yaml', new Uint8Array(Buffer.from(COMPOSE)))]).references;
const STATE: DashboardState = {
  version: 1,
  base: 'a'.repeat(40),
  configHash: 'f'.repeat(16),
  references,
  repoConfig: null,
  changes: { 'archpin/docker-27.x': '3e7e0b73727f8a429b651c8a32d6d8c3' },
  entries: [{ title: 'Update docker Docker tag to 27.1.1', branch: 'archpin/docker-27.x', url: 'https://gitlab.test/acme/ci/-/merge_requests/1', status: 'opened' }],
  firstSeen: { [`docker.io/library/docker@${D1}`]: Date.parse('2026-11-20T08:00:00Z') },
};
const comment = (value: unknown) => `<!-- archpin-dashboard:${gzipSync(Buffer.from(JSON.stringify(value))).toString('base64')} -->`;

describe('dashboard state', () => {
  it('survives encoding, in the same key order', () => {
    const decoded = decodeDashboardState(`intro\n${encodeDashboardState(STATE)}\n`);
    expect(decoded).toEqual(STATE);
    expect(JSON.stringify(decoded)).toBe(JSON.stringify(STATE));
  });

  it('leaves out the remembered scan when the state would not fit in an issue body', () => {
    // 2,000 references whose values do not compress: well over the 48,000 characters kept.
    const many = Array.from({ length: 2000 }, (_, index) => ({ ...references[0]!, line: index + 1, value: `docker@sha256:${createHash('sha256').update(String(index)).digest('hex')}` }));
    expect(comment({ ...STATE, references: many }).length).toBeGreaterThan(48_000);
    const encoded = encodeDashboardState({ ...STATE, references: many });
    expect(encoded.length).toBeLessThan(48_000);
    expect(decodeDashboardState(encoded)).toEqual({ ...STATE, references: null });
  });

  it('is null without the comment, for a comment that is not gzip, and for a state a user edited out of shape', () => {
    expect(decodeDashboardState(null)).toBeNull();
    expect(decodeDashboardState('no state here')).toBeNull();
    expect(decodeDashboardState('<!-- archpin-dashboard:bm90IGd6aXA= -->')).toBeNull();
    expect(decodeDashboardState(comment({ ...STATE, version: 2 }))).toBeNull();
    expect(decodeDashboardState(comment({ ...STATE, firstSeen: { x: 'yesterday' } }))).toBeNull();
    expect(decodeDashboardState(comment({ ...STATE, entries: [{ ...STATE.entries![0]!, status: 'merged' }] }))).toBeNull();
    expect(decodeDashboardState(comment({ ...STATE, references: [{ ...references[0]!, spans: 'none' }] }))).toBeNull();
    expect(decodeDashboardState(comment({ ...STATE, references: null }))).toEqual({ ...STATE, references: null });
  });
});

describe('dashboardBody', () => {
  it('lists every change with its status, what the gate held back, errors and problems, the skipped count, and the state', () => {
    const body = dashboardBody({
      changes: [
        { title: 'Update docker Docker tag to 27.1.1', branch: 'archpin/docker-27.x', url: 'https://gitlab.test/acme/ci/-/merge_requests/1', status: 'opened' },
        { title: 'Update nginx Docker digest', branch: 'archpin/nginx-digest', url: 'https://gitlab.test/acme/ci/-/merge_requests/2', status: 'unchanged' },
        { title: 'Update redis Docker tag to 7.4.0', branch: 'archpin/redis-7.x', url: 'https://gitlab.test/acme/ci/-/merge_requests/3', status: 'closed-by-user' },
        { title: 'Update monitoring', branch: 'archpin/monitoring', url: null, status: 'awaiting-limit' },
        { title: 'Update ghcr.io/acme/api Docker tag to v2.0.0', branch: 'archpin/ghcr.io-acme-api-v2.x', url: null, status: 'dry-run' },
      ],
      held: [
        { image: 'docker.io/library/docker', tag: '27.2.0', digest: D5, reasons: [{ code: 'missing-platforms', message: 'linux/arm64/v8 | linux/arm/v7 are missing' }] },
        {
          image: 'docker.io/library/nginx',
          tag: null,
          digest: D1,
          reasons: [
            { code: 'too-new', message: 'published 2 hours ago' },
            { code: 'single-arch', message: 'not an index' },
          ],
        },
      ],
      errors: [
        { image: 'docker.io/library/postgres', tag: '16.1', code: 'registry-unavailable', message: 'the registry answered 503', retryable: true },
        { image: 'ghcr.io/acme/gone', tag: null, code: 'registry-not-found', message: 'no such repository', retryable: false },
      ],
      problems: ['compose.yaml: the file changed while it was read'],
      skipped: 3,
      state: STATE,
    });
    expect(body).toBe(
      [
        'This issue lists the container image updates archpin manages in this repository.',
        '',
        '## Updates',
        '',
        '- [Update docker Docker tag to 27.1.1](https://gitlab.test/acme/ci/-/merge_requests/1) — `archpin/docker-27.x` — opened',
        '- [Update nginx Docker digest](https://gitlab.test/acme/ci/-/merge_requests/2) — `archpin/nginx-digest` — open',
        '- [Update redis Docker tag to 7.4.0](https://gitlab.test/acme/ci/-/merge_requests/3) — `archpin/redis-7.x` — closed by a user; this version is skipped',
        '- Update monitoring — `archpin/monitoring` — waiting: the concurrent or hourly limit is reached',
        '- Update ghcr.io/acme/api Docker tag to v2.0.0 — `archpin/ghcr.io-acme-api-v2.x` — would open',
        '',
        '## Held back by the gate',
        '',
        '| Image | Version | Reason |',
        '| --- | --- | --- |',
        '| `docker.io/library/docker` | `27.2.0` | missing-platforms: linux/arm64/v8 \\| linux/arm/v7 are missing |',
        `| \`docker.io/library/nginx\` | \`${D1}\` | too-new: published 2 hours ago; single-arch: not an index |`,
        '',
        '## Errors',
        '',
        '- `docker.io/library/postgres:16.1`: registry-unavailable — the registry answered 503',
        '- `ghcr.io/acme/gone`: registry-not-found — no such repository',
        '- compose.yaml: the file changed while it was read',
        '',
        '3 references are not updated automatically (templated, untagged or ignored); `archpin scan` lists them.',
        '',
        encodeDashboardState(STATE),
        '',
      ].join('\n'),
    );
    expect(decodeDashboardState(body)).toEqual(STATE);
  });

  it('says so when there is nothing to update, and leaves out empty sections', () => {
    expect(dashboardBody({ changes: [], held: [], errors: [], problems: [], skipped: 0, state: STATE })).toBe(
      [
        'This issue lists the container image updates archpin manages in this repository.',
        '',
        '## Updates',
        '',
        'None: every image is up to date or held back.',
        '',
        encodeDashboardState(STATE),
        '',
      ].join('\n'),
    );
    expect(dashboardBody({ changes: [], held: [], errors: [], problems: ['a problem'], skipped: 0, state: STATE })).toContain('\n## Errors\n\n- a problem\n');
    expect(DASHBOARD_TITLE).toBe('Dependency Dashboard (archpin)');
  });
});

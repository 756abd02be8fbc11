import { describe, expect, it } from 'vitest';
import type { PlannedChange, UpstreamNote } from '../../src/core/planned.js';
import { groupChanges } from '../../src/plan/change-groups.js';
import { changeBody, changeFingerprint, changeTitle, readChangeState } from '../../src/plan/change-request-text.js';
import { embedState } from '../../src/plan/hidden-state.js';
import { D1, D3, D4, D5, D6, D7, planned } from './compose-plan.js';

const monitoring = (image: string) => (image === 'docker.io/grafana/grafana' || image === 'docker.io/prom/prometheus' ? 'monitoring' : null);
const changes = (proposals: Parameters<typeof planned>[0], held: PlannedChange['held'] = []): PlannedChange[] =>
  groupChanges(planned(proposals), held, { branchPrefix: 'archpin/', groupNameFor: monitoring });
const only = (proposals: Parameters<typeof planned>[0], held: PlannedChange['held'] = []): PlannedChange => {
  const [change, ...rest] = changes(proposals, held);
  expect(rest).toEqual([]);
  return change!;
};

describe('changeTitle', () => {
  it('names the new tags, one or several, sorted', () => {
    expect(changeTitle(only({ 'library/docker:27.0.3': { tag: '27.1.1', digest: D3, updateType: 'minor' } }))).toBe('Update docker Docker tag to 27.1.1');
    expect(
      changeTitle(
        only({
          'library/docker:27.0.3-dind': { tag: '27.1.1-dind', digest: D4, updateType: 'minor' },
          'library/docker:27.0.3': { tag: '27.1.1', digest: D3, updateType: 'minor' },
        }),
      ),
    ).toBe('Update docker Docker tags to 27.1.1, 27.1.1-dind');
    expect(changeTitle(only({ 'acme/api:v1.9.0': { tag: 'v2.0.0', digest: D5, updateType: 'major' } }))).toBe('Update ghcr.io/acme/api Docker tag to v2.0.0');
  });

  it('a digest-only change is an update of the digest; a change of pins only is a pin', () => {
    expect(changeTitle(only({ 'library/nginx:1.25.3': { tag: '1.25.3', digest: D1, updateType: 'digest' } }))).toBe('Update nginx Docker digest');
    expect(
      changeTitle(
        only({
          'library/docker:27.0.3': { tag: '27.0.3', digest: D3, updateType: 'pin' },
          'library/docker:27.0.3-dind': { tag: '27.0.3-dind', digest: D4, updateType: 'pin' },
        }),
      ),
    ).toBe('Pin docker Docker digest');
    expect(
      changeTitle(
        only({
          'library/docker:27.0.3': { tag: '27.0.3', digest: D3, updateType: 'pin' },
          'library/docker:27.0.3-dind': { tag: '27.0.3-dind', digest: D4, updateType: 'digest' },
        }),
      ),
    ).toBe('Update docker Docker digest');
  });

  it('a group is named by its group, with (major) when one of its updates is', () => {
    const grafana = { tag: '11.0.0', digest: D6, updateType: 'major' as const };
    const prometheus = { tag: 'v2.51.0', digest: D7, updateType: 'minor' as const };
    expect(changeTitle(only({ 'grafana/grafana:10.4.0': grafana, 'prom/prometheus:v2.50.0': prometheus }))).toBe('Update monitoring (major)');
    expect(changeTitle(only({ 'grafana/grafana:10.4.0': { ...grafana, tag: '10.4.1', updateType: 'patch' }, 'prom/prometheus:v2.50.0': prometheus }))).toBe('Update monitoring');
  });
});

describe('changeFingerprint', () => {
  const docker = { tag: '27.1.1', digest: D3, updateType: 'minor' as const };
  const dind = { tag: '27.1.1-dind', digest: D4, updateType: 'minor' as const };
  const change = only({ 'library/docker:27.0.3': docker, 'library/docker:27.0.3-dind': dind });

  it('is a stable 32-character hash of the branch and every edit (a new value here would rewrite every open change request)', () => {
    expect(changeFingerprint(change)).toBe('3e7e0b73727f8a429b651c8a32d6d8c3');
  });

  it('does not depend on the order of the updates; changes with the target, the branch or the set of edits', () => {
    expect(changeFingerprint({ ...change, updates: [...change.updates].reverse() })).toBe(changeFingerprint(change));
    const others = [
      only({ 'library/docker:27.0.3': docker, 'library/docker:27.0.3-dind': { ...dind, digest: D5 } }),
      only({ 'library/docker:27.0.3': docker }),
      { ...change, branch: 'archpin/docker-digest' },
    ].map(changeFingerprint);
    expect(new Set([changeFingerprint(change), ...others]).size).toBe(4);
  });
});

describe('readChangeState', () => {
  const fingerprint = '3e7e0b73727f8a429b651c8a32d6d8c3';
  const base = 'a'.repeat(40);
  it('reads the fingerprint, base and a pending auto-merge from the hidden comment', () => {
    expect(readChangeState(`text\n${embedState({ fingerprint, base })}\n`)).toEqual({ fingerprint, base });
    expect(readChangeState(embedState({ fingerprint, base, automergePending: true }))).toEqual({ fingerprint, base, automergePending: true });
    expect(readChangeState(embedState({ fingerprint, base, automergePending: 'yes', extra: 1 }))).toEqual({ fingerprint, base });
  });

  it('is null for a body without state, with state edited out of shape, or with a comment that is not base64 JSON', () => {
    expect(readChangeState('Bump docker')).toBeNull();
    expect(readChangeState(embedState({ fingerprint }))).toBeNull();
    expect(readChangeState(embedState({ fingerprint: 7, base }))).toBeNull();
    expect(readChangeState(embedState([fingerprint, base]))).toBeNull();
    expect(readChangeState('<!-- archpin-state:bm90IGpzb24= -->')).toBeNull();
  });
});

describe('changeBody', () => {
  const heldBack = [
    { image: 'docker.io/library/docker', tag: '27.2.0', digest: D5, reasons: [{ code: 'missing-platforms' as const, message: 'linux/arm64/v8 | linux/arm/v7 are missing' }] },
    {
      image: 'docker.io/library/docker',
      tag: '27.3.0',
      digest: D6,
      reasons: [
        { code: 'too-new' as const, message: 'published 2 hours ago' },
        { code: 'single-arch' as const, message: 'not an index' },
      ],
    },
  ];
  const change = only(
    {
      'library/docker:27.0.3': { tag: '27.1.1', digest: D3, updateType: 'minor', platforms: ['linux/arm64/v8', 'linux/amd64'], fromPlatforms: ['linux/amd64', 'linux/arm/v7'] },
      'library/docker:27.0.3-dind': { tag: '27.1.1-dind', digest: D4, updateType: 'minor' },
    },
    heldBack,
  );

  it('lists the edits, each target with its platforms old and new, the upstream pipelines, what is held back, and the state', () => {
    const state = { fingerprint: changeFingerprint(change), base: 'b'.repeat(40) };
    const rev = 'c0ffee1234567890c0ffee1234567890c0ffee12';
    const upstream: UpstreamNote[] = [
      { image: `registry.test/acme/base:1.2@${D3}`, project: 'acme/base', producer: { kind: 'chain-state', pipeline: { id: 77, url: 'https://gitlab.test/acme/base/-/pipelines/77', ref: 'main' } } },
      {
        image: `registry.test/acme/ruby:3.3@${D4}`,
        project: 'acme/ruby',
        producer: { kind: 'revision', revision: rev, pipelines: [{ id: 81, url: 'https://gitlab.test/acme/ruby/-/pipelines/81', ref: 'main' }] },
      },
      {
        image: `registry.test/acme/node:22@${D1}`,
        project: 'acme/node',
        producer: {
          kind: 'revision',
          revision: rev,
          pipelines: [
            { id: 92, url: 'https://gitlab.test/acme/node/-/pipelines/92', ref: 'v22' },
            { id: 90, url: 'https://gitlab.test/acme/node/-/pipelines/90', ref: 'main' },
          ],
        },
      },
      { image: 'registry.test/acme/tools:3', project: 'acme/tools', producer: { kind: 'unknown', reason: 'its image config has no `org.opencontainers.image.revision` label' } },
    ];
    expect(changeBody(change, state, 'merge request', upstream)).toBe(
      [
        "This merge request updates `docker.io/library/docker`. Every digest below is an index that passed archpin's multi-architecture gate.",
        '',
        '| File | From | To | Type |',
        '| --- | --- | --- | --- |',
        '| `compose.yaml:3` | `docker:27.0.3` | `docker:27.1.1@sha256:333333333333…` | minor |',
        '| `compose.yaml:5` | `docker:27.0.3-dind` | `docker:27.1.1-dind@sha256:444444444444…` | minor |',
        '',
        `**docker:27.1.1** → \`${D3}\``,
        '',
        '| Platform | In use | New |',
        '| --- | :---: | :---: |',
        '| linux/amd64 | ✓ | ✓ |',
        '| linux/arm/v7 | ✓ | — |',
        '| linux/arm64/v8 | — | ✓ |',
        '',
        `**docker:27.1.1-dind** → \`${D4}\``,
        '',
        '| Platform | In use | New |',
        '| --- | :---: | :---: |',
        '| linux/amd64 | ✓ | ✓ |',
        '',
        '### Upstream',
        '',
        '- `registry.test/acme/base:1.2@sha256:333333333333…` is built by `acme/base`: produced by pipeline [#77](https://gitlab.test/acme/base/-/pipelines/77) on `main` (archpin serve gated this digest when that pipeline succeeded)',
        '- `registry.test/acme/ruby:3.3@sha256:444444444444…` is built by `acme/ruby`: built from commit `c0ffee123456` (image label `org.opencontainers.image.revision`) by pipeline [#81](https://gitlab.test/acme/ruby/-/pipelines/81) on `main`, the one successful pipeline of that commit',
        '- `registry.test/acme/node:22@sha256:111111111111…` is built by `acme/node`: built from commit `c0ffee123456` (image label `org.opencontainers.image.revision`); the successful pipelines of that commit are pipeline [#92](https://gitlab.test/acme/node/-/pipelines/92) on `v22`, pipeline [#90](https://gitlab.test/acme/node/-/pipelines/90) on `main`, and the label does not say which one pushed it',
        '- `registry.test/acme/tools:3` is built by `acme/tools`: the pipeline that produced it is not known: its image config has no `org.opencontainers.image.revision` label',
        '',
        '### Held back',
        '',
        '| Version | Digest | Reason |',
        '| --- | --- | --- |',
        '| `docker:27.2.0` | `sha256:555555555555…` | missing-platforms: linux/arm64/v8 \\| linux/arm/v7 are missing |',
        '| `docker:27.3.0` | `sha256:666666666666…` | too-new: published 2 hours ago; single-arch: not an index |',
        '',
        '---',
        'Opened by archpin. Close it to skip this version; a newer passing version updates it in place.',
        embedState(state),
        '',
      ].join('\n'),
    );
    expect(readChangeState(changeBody(change, state, 'merge request', upstream))).toEqual(state);
  });

  it('without held versions or upstream notes those sections are left out; a pull request says so', () => {
    const plain = only({ 'library/nginx:1.25.3': { tag: '1.25.3', digest: D1, updateType: 'digest' } });
    const state = { fingerprint: changeFingerprint(plain), base: 'c'.repeat(40), automergePending: true as const };
    expect(changeBody(plain, state, 'pull request')).toBe(
      [
        "This pull request updates `docker.io/library/nginx`. Every digest below is an index that passed archpin's multi-architecture gate.",
        '',
        '| File | From | To | Type |',
        '| --- | --- | --- | --- |',
        '| `compose.yaml:13` | `nginx:1.25.3@sha256:222222222222…` | `nginx:1.25.3@sha256:111111111111…` | digest |',
        '',
        `**nginx:1.25.3** → \`${D1}\``,
        '',
        '| Platform | In use | New |',
        '| --- | :---: | :---: |',
        '| linux/amd64 | ✓ | ✓ |',
        '',
        '---',
        'Opened by archpin. Close it to skip this version; a newer passing version updates it in place.',
        embedState(state),
        '',
      ].join('\n'),
    );
  });
});

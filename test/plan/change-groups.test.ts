import { describe, expect, it } from 'vitest';
import type { HeldUpdate } from '../../src/core/dependency.js';
import type { PlannedUpdate } from '../../src/core/planned.js';
import { branchFor, displayName, groupChanges, slug } from '../../src/plan/change-groups.js';
import { D1, D3, D4, D5, D6, D7, planned } from './compose-plan.js';

const held = (image: string, tag: string, digest: string): HeldUpdate => ({ image, tag, digest, reasons: [{ code: 'missing-platforms', message: 'linux/arm64/v8 is missing' }] });

describe('names and branches', () => {
  it('displayName drops docker.io/library/ and docker.io/, keeps other hosts', () => {
    expect(displayName('docker.io/library/docker')).toBe('docker');
    expect(displayName('docker.io/bitnami/redis')).toBe('bitnami/redis');
    expect(displayName('ghcr.io/acme/api')).toBe('ghcr.io/acme/api');
    expect(displayName('registry.example.com:5000/docker.io/library/x')).toBe('registry.example.com:5000/docker.io/library/x');
  });

  it('slug lowercases, turns runs of other characters into one dash, trims dashes and collapses dots', () => {
    expect(slug('Monitoring Stack (Grafana + Prometheus)')).toBe('monitoring-stack-grafana-prometheus');
    expect(slug('127.0.0.1:5000/library/docker')).toBe('127.0.0.1-5000-library-docker');
    expect(slug('--a..b...c__d--')).toBe('a.b.c__d');
  });

  it('branchFor: a group name wins; version updates go by major (prefix kept); digest, pin and unversioned tags by digest', () => {
    const update = (tag: string | null, updateType: PlannedUpdate['updateType']) => ({ image: 'docker.io/library/docker', tag, updateType });
    expect(branchFor('archpin/', update('27.1.1', 'minor'), null)).toBe('archpin/docker-27.x');
    expect(branchFor('archpin/', update('27.1.1-dind', 'patch'), null)).toBe('archpin/docker-27.x');
    expect(branchFor('archpin/', update('28.0.0', 'major'), null)).toBe('archpin/docker-28.x');
    expect(branchFor('bot-', { image: 'ghcr.io/acme/api', tag: 'v2.0.0', updateType: 'major' }, null)).toBe('bot-ghcr.io-acme-api-v2.x');
    expect(branchFor('archpin/', update('27.1.1', 'digest'), null)).toBe('archpin/docker-digest');
    expect(branchFor('archpin/', update('27.1.1', 'pin'), null)).toBe('archpin/docker-digest');
    expect(branchFor('archpin/', update('latest', 'minor'), null)).toBe('archpin/docker-digest');
    expect(branchFor('archpin/', update(null, 'minor'), null)).toBe('archpin/docker-digest');
    expect(branchFor('archpin/', update('27.1.1', 'minor'), 'Docker Engine')).toBe('archpin/docker-engine');
  });
});

describe('groupChanges', () => {
  const updates = planned({
    'library/docker:27.0.3': { tag: '27.1.1', digest: D3, updateType: 'minor' },
    'library/docker:27.0.3-dind': { tag: '27.1.1-dind', digest: D4, updateType: 'minor' },
    'acme/api:v1.9.0': { tag: 'v2.0.0', digest: D5, updateType: 'major' },
    'grafana/grafana:10.4.0': { tag: '11.0.0', digest: D6, updateType: 'major' },
    'prom/prometheus:v2.50.0': { tag: 'v2.51.0', digest: D7, updateType: 'minor' },
    'library/nginx:1.25.3': { tag: '1.25.3', digest: D1, updateType: 'digest' },
  });
  const monitoring = (image: string) => (image === 'docker.io/grafana/grafana' || image === 'docker.io/prom/prometheus' ? 'Monitoring' : null);
  const heldBack = [held('docker.io/library/docker', '27.2.0', D5), held('docker.io/grafana/grafana', '11.1.0', D7), held('docker.io/library/redis', '7.4.0', D1)];
  const changes = groupChanges(updates, heldBack, { branchPrefix: 'archpin/', groupNameFor: monitoring });

  it('makes one change per branch, sorted by branch, each with its images, name, held versions and major flag', () => {
    expect(
      changes.map((change) => [change.branch, change.images, change.displayName, change.groupName, change.isMajor, change.updates.map((update) => update.line), change.held.map((item) => item.tag)]),
    ).toEqual([
      ['archpin/docker-27.x', ['docker.io/library/docker'], 'docker', null, false, [3, 5], ['27.2.0']],
      ['archpin/ghcr.io-acme-api-v2.x', ['ghcr.io/acme/api'], 'ghcr.io/acme/api', null, true, [7], []],
      ['archpin/monitoring', ['docker.io/grafana/grafana', 'docker.io/prom/prometheus'], 'Monitoring', 'Monitoring', true, [9, 11], ['11.1.0']],
      ['archpin/nginx-digest', ['docker.io/library/nginx'], 'nginx', null, false, [13], []],
    ]);
  });

  it("carries each change's own edits per file", () => {
    expect(changes.map((change) => change.fileEdits.map((file) => [file.file, file.edits.map((edit) => edit.replacement)]))).toEqual([
      [['compose.yaml', [`docker:27.1.1@${D3}`, `docker:27.1.1-dind@${D4}`]]],
      [['compose.yaml', [`ghcr.io/acme/api:v2.0.0@${D5}`]]],
      [['compose.yaml', [`grafana/grafana:11.0.0@${D6}`, `prom/prometheus:v2.51.0@${D7}`]]],
      [['compose.yaml', [`nginx:1.25.3@${D1}`]]],
    ]);
  });

  it('a group without a major update is not major; no updates, no changes', () => {
    const minorOnly = updates.filter((update) => update.image !== 'docker.io/grafana/grafana');
    expect(groupChanges(minorOnly, [], { branchPrefix: 'archpin/', groupNameFor: monitoring }).find((change) => change.groupName === 'Monitoring')?.isMajor).toBe(false);
    expect(groupChanges([], heldBack, { branchPrefix: 'archpin/', groupNameFor: monitoring })).toEqual([]);
  });
});

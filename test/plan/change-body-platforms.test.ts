import { describe, expect, it } from 'vitest';
import type { PlannedChange, PlannedUpdate } from '../../src/core/planned.js';
import { changeBody } from '../../src/plan/change-request-text.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

function change(update: Partial<PlannedUpdate>): PlannedChange {
  const base = {
    file: 'pod.yaml',
    line: 8,
    from: 'app:1.0.0',
    to: `app:1.1.0@${DIGEST}`,
    image: 'docker.io/library/app',
    tag: '1.1.0',
    updateType: 'minor',
    digest: DIGEST,
    platforms: ['linux/amd64', 'linux/arm64/v8'],
    fromPlatforms: ['linux/amd64', 'linux/arm64/v8'],
    pinned: true,
    edits: [],
    ...update,
  } as unknown as PlannedUpdate;
  return { branch: 'archpin/app', images: ['docker.io/library/app'], displayName: 'app', updates: [base], held: [], groupName: null, isMajor: false, fileEdits: [] };
}

const table = (body: string): string[] => body.split('\n').filter((line) => line.startsWith('| linux/'));

describe('changeBody: the platforms it claims', () => {
  it('marks verified platforms ✓ and the others the index lists as "listed, not verified", with a note', () => {
    const body = changeBody(change({ unverifiedPlatforms: ['linux/arm/v7', 'linux/s390x'] }), { fingerprint: 'f', base: 'b' }, 'merge request');
    expect(table(body)).toEqual(['| linux/amd64 | ✓ | ✓ |', '| linux/arm/v7 | — | listed, not verified |', '| linux/arm64/v8 | ✓ | ✓ |', '| linux/s390x | — | listed, not verified |']);
    expect(body).toContain('"Listed, not verified": the index lists it, but no required platform asked for it, so archpin did not check it.');
  });

  it('without unverified platforms the table and text are as before', () => {
    const body = changeBody(change({}), { fingerprint: 'f', base: 'b' }, 'merge request');
    expect(table(body)).toEqual(['| linux/amd64 | ✓ | ✓ |', '| linux/arm64/v8 | ✓ | ✓ |']);
    expect(body).not.toContain('not verified');
  });

  it('a Tekton bundle claims no platform: the body says what passed the gate, without a platform table', () => {
    const body = changeBody(change({ platforms: [], fromPlatforms: [], content: 'tekton-bundle' }), { fingerprint: 'f', base: 'b' }, 'merge request');
    expect(body.split('\n').slice(0, 7)).toEqual([
      "This merge request updates `docker.io/library/app`. Every digest below is a Tekton bundle that passed archpin's gate: one manifest whose layers each hold a Tekton resource.",
      '',
      '| File | From | To | Type |',
      '| --- | --- | --- | --- |',
      `| \`pod.yaml:8\` | \`app:1.0.0\` | \`app:1.1.0@sha256:aaaaaaaaaaaa…\` | minor |`,
      '',
      `**app:1.1.0** → \`${DIGEST}\``,
    ]);
    expect(body).toContain(`\`${DIGEST}\`\n\nA Tekton bundle: no platform applies.\n`);
    expect(body).not.toContain('| Platform |');
  });
});

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCredentialHelper } from '../../src/lookup/credential-helper.js';
import { parseHubTagsPage, previewIndex } from '../../src/lookup/hub-tags.js';
import { kindFromAnswer, kindFromHost } from '../../src/lookup/registry-profile.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'archpin-profile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('registry kind from the host name', () => {
  it.each([
    ['docker.io', 'dockerhub'],
    ['ghcr.io', 'ghcr'],
    ['quay.io', 'quay'],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'ecr'],
    ['123456789012.dkr.ecr-fips.us-east-1.amazonaws.com', 'ecr'],
    ['public.ecr.aws', 'ecr'],
    ['gcr.io', 'gcr'],
    ['eu.gcr.io', 'gcr'],
    ['europe-west1-docker.pkg.dev', 'gcr'],
    ['myregistry.azurecr.io', 'acr'],
    ['acme.jfrog.io', 'artifactory'],
    ['registry.gitlab.com', 'gitlab'],
    ['registry.example.com:5000', 'distribution'],
    ['harbor.example.com', 'distribution'],
  ])('%s is %s', (host, kind) => {
    expect(kindFromHost(host)).toBe(kind);
  });

  it('first answers give away Artifactory, Harbor, GitLab and ACR', () => {
    const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name] ?? null });
    expect(kindFromAnswer(headers({ 'x-artifactory-id': 'abc' }), null)).toBe('artifactory');
    expect(kindFromAnswer(headers({}), 'https://harbor.example.com/service/token')).toBe('harbor');
    expect(kindFromAnswer(headers({}), 'https://gitlab.example.com/jwt/auth')).toBe('gitlab');
    expect(kindFromAnswer(headers({}), 'https://reg.example.com/oauth2/token')).toBe('acr');
    expect(kindFromAnswer(headers({}), 'https://auth.example.com/token')).toBeNull();
    expect(kindFromAnswer(headers({}), 'not a url')).toBeNull();
  });
});

describe('Docker Hub tags API pages', () => {
  it('reads digests, platforms (attestations marked), push times and next', () => {
    const page = parseHubTagsPage(
      {
        count: 2,
        next: 'https://hub.docker.com/v2/namespaces/library/repositories/docker/tags?page=2&page_size=100',
        results: [
          {
            name: '27.1.1-dind',
            digest: `sha256:${'a'.repeat(64)}`,
            media_type: 'application/vnd.oci.image.index.v1+json',
            tag_last_pushed: '2024-07-24T09:20:00.123456Z',
            images: [
              { architecture: 'amd64', os: 'linux', variant: null, digest: `sha256:${'b'.repeat(64)}`, size: 10 },
              { architecture: 'aarch64', os: 'linux', variant: '', digest: `sha256:${'c'.repeat(64)}`, size: 11 },
              { architecture: 'unknown', os: 'unknown', digest: `sha256:${'d'.repeat(64)}`, size: 12 },
              { architecture: 'amd64', os: 'linux', digest: null },
            ],
          },
          { name: 'old', images: [] },
        ],
      },
      'test',
    );
    expect(page.next).toBe('https://hub.docker.com/v2/namespaces/library/repositories/docker/tags?page=2&page_size=100');
    expect(page.tags.map((tag) => [tag.name, tag.digest, tag.pushedAt])).toEqual([
      ['27.1.1-dind', `sha256:${'a'.repeat(64)}`, Date.parse('2024-07-24T09:20:00.123Z')],
      ['old', null, null],
    ]);
    const index = previewIndex(page.tags[0]!);
    expect(index?.entries.map((entry) => [entry.platform && `${entry.platform.os}/${entry.platform.architecture}/${entry.platform.variant ?? ''}`, entry.attestation])).toEqual([
      ['linux/amd64/', false],
      ['linux/arm64/v8', false],
      ['unknown/unknown/', true],
    ]);
    expect(previewIndex(page.tags[1]!)).toBeNull();
  });
});

describe('credential helper protocol', () => {
  const helper = (name: string, body: string): void => {
    const file = path.join(work, `docker-credential-${name}`);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
  };
  const env = { PATH: `${work}:${process.env['PATH'] ?? ''}` };

  it('sends the server URL on stdin and reads Username and Secret', async () => {
    helper('echo', 'read -r s; printf \'{"ServerURL":"%s","Username":"u-%s","Secret":"p"}\' "$s" "$s"');
    expect(await runCredentialHelper('echo', 'reg.example.com', { env })).toEqual({ username: 'u-reg.example.com', password: 'p' });
  });

  it('"credentials not found" is no credentials; Username "<token>" is an identity token, not a password', async () => {
    helper('none', 'echo "credentials not found in native keychain"; exit 1');
    expect(await runCredentialHelper('none', 'reg.example.com', { env })).toBeNull();
    helper('identity', 'printf \'{"Username":"<token>","Secret":"refresh"}\'');
    expect(await runCredentialHelper('identity', 'reg.example.com', { env })).toEqual({ username: '<token>', password: '', identityToken: 'refresh' });
  });

  it('a failing, missing or garbled helper is a clear error that never shows what it printed', async () => {
    helper('fails', 'echo "topsecret-output"; exit 3');
    await expect(runCredentialHelper('fails', 'reg.example.com', { env })).rejects.toThrow('credential helper docker-credential-fails failed for reg.example.com (exit 3)');
    await expect(runCredentialHelper('absent', 'reg.example.com', { env })).rejects.toThrow('credential helper docker-credential-absent is not on PATH');
    helper('garbled', 'echo "topsecret-output"');
    const error = await runCredentialHelper('garbled', 'reg.example.com', { env }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(String(error)).not.toContain('topsecret');
    await expect(runCredentialHelper('../x', 'reg.example.com', { env })).rejects.toThrow('is not a plain name');
  });

  it('a helper that does not answer in time is killed', async () => {
    helper('hangs', 'sleep 30');
    await expect(runCredentialHelper('hangs', 'reg.example.com', { env, timeoutMs: 200 })).rejects.toThrow('gave no answer within 200 ms');
  });
});

/** Checkout trees for chain tests: one directory per project, written to a temporary folder that is removed when the test ends. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';

export type ProjectFiles = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Call it inside a test: the folder goes when that test finishes. */
export function writeCheckouts(projects: ProjectFiles): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'archpin-chain-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  for (const [project, files] of Object.entries(projects)) {
    for (const [file, text] of Object.entries(files)) {
      const full = path.join(root, project, file);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, text);
    }
  }
  return root;
}

export const REGISTRY = 'registry.example.com';

/** base → ruby → app, base → worker (sibling), tools (buildah) used by app through COPY --from. */
export const THREE_LEVELS: ProjectFiles = {
  'acme/base': {
    Dockerfile: 'FROM debian:12\nRUN apt-get update\n',
    '.gitlab-ci.yml': 'build:\n  image: 127.0.0.1:9/kaniko-project/executor:debug\n  script:\n    - /kaniko/executor --context . --destination "$CI_REGISTRY_IMAGE:1"\n',
  },
  'acme/ruby': {
    Dockerfile: 'ARG REGISTRY=registry.example.com\nARG BASE_TAG=1\nFROM ${REGISTRY}/acme/base:${BASE_TAG} AS build\nRUN make ruby\nFROM build AS final\n',
    '.gitlab-ci.yml': 'variables:\n  IMAGE: $CI_REGISTRY_IMAGE:3.3\nbuild:\n  script:\n    - docker build -t $IMAGE .\n    - docker push $IMAGE\n',
  },
  'acme/app': {
    'docker/Dockerfile':
      'FROM --platform=$BUILDPLATFORM golang:1.22 AS tools\nFROM registry.example.com/acme/ruby:3.3\nCOPY --from=registry.example.com/acme/tools:1 /bin/tool /bin/tool\nCOPY --from=tools /go/bin/x /x\n',
    '.gitlab-ci.yml': 'build:\n  script:\n    - docker buildx build --push --tag ${CI_REGISTRY_IMAGE}:latest -f docker/Dockerfile .\n',
  },
  'acme/worker': {
    Containerfile: 'FROM --platform=linux/arm64 registry.example.com/acme/base:1\n',
    '.gitlab-ci.yml': 'build:\n  script:\n    - podman build -t worker .\n    - podman push worker $CI_REGISTRY_IMAGE:1\n',
  },
  'acme/tools': {
    Dockerfile: 'FROM scratch\nCOPY tool /bin/tool\n',
    '.gitlab-ci.yml': 'build:\n  script:\n    - buildah bud -t $CI_REGISTRY_IMAGE:1 .\n    - buildah push $CI_REGISTRY_IMAGE:1\n',
  },
};

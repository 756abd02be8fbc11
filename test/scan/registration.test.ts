import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTree } from '../../src/cli/read-tree.js';
import { EXTRACTORS } from '../../src/scan/extractors/index.js';
import { scanFiles } from '../../src/scan/scan-files.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');
const EXTRACTOR_DIR = path.resolve(import.meta.dirname, '../../src/scan/extractors');

describe('extractor registration', () => {
  it('registers one extractor per folder under src/scan/extractors, named after it', () => {
    const folders = readdirSync(EXTRACTOR_DIR, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(EXTRACTORS.map((extractor) => extractor.name).sort()).toEqual(folders.sort());
    for (const name of folders) expect(existsSync(path.join(EXTRACTOR_DIR, name, `${name}.ts`))).toBe(true);
  });

  it('every reference in the fixtures carries a kind its extractor declares, and the quoting rule of that extractor', async () => {
    const declared = new Map(EXTRACTORS.flatMap((extractor) => extractor.kinds.map((kind) => [kind, extractor.quoting] as const)));
    const seen = new Set<string>();
    for (const format of readdirSync(FIXTURES)) {
      const tree = await readTree(path.join(FIXTURES, format));
      for (const reference of scanFiles(tree.files).references) {
        seen.add(reference.kind);
        expect([reference.kind, declared.has(reference.kind)]).toEqual([reference.kind, true]);
        expect([reference.kind, reference.quoting]).toEqual([reference.kind, declared.get(reference.kind)]);
      }
    }
    expect([...seen].sort()).toEqual([
      'bake-context',
      'compose-service',
      'devcontainer-image',
      'dockerfile-from',
      'gitlab-ci-image',
      'gitlab-ci-service',
      'helm-values',
      'hiera',
      'jenkinsfile',
      'ko-base-image',
      'kubernetes-container',
      'kubernetes-image',
      'kustomize-image',
      'nomad-task',
      'puppet',
      'quadlet-image',
      'timoni-values',
      'yaml-image',
    ]);
  });

  it('asks every extractor which paths a walk must read', () => {
    const wanted = [
      'Dockerfile',
      'app/Containerfile.dev',
      'tests/helper/Dockerfile-windows',
      'site/manifests/web.pp',
      'jobs/api.nomad',
      'k8s/app.yaml',
      'base/Kustomization',
      'ci/Jenkinsfile',
      'ci/release.jenkinsfile',
      'vars/build.groovy',
      'units/web.container',
      'units/tools.image',
      'units/worker.container.in',
      'docker-bake.hcl',
      'tests/build.hcl',
      '.ko.yaml',
      'go.mod',
      'tools/go.mod',
      'charts/relay/templates/_helpers.tpl',
      'packs/cache/templates/cache.nomad.tpl',
      'packs/cache/variables.hcl',
      'timoni/app/values.cue',
      'timoni/app/debug_values.cue',
      '.devcontainer/devcontainer.json',
      '.devcontainer/python/devcontainer.json',
      '.devcontainer.json',
      'templates/web/docker-compose.yml.erb',
      'roles/app/templates/compose.yaml.j2',
      // A Jinja template named otherwise may be a compose file: recognised by content.
      'roles/app/templates/app.j2',
      'deploy/nomad/web.json',
      'ops/web.nomad.json',
      // Any other JSON may be a Nomad job or a Kubernetes object: recognised by content.
      'deploy/web.json',
      // A template without `.yaml` in its name may be a Kubernetes manifest a script fills in: recognised by content.
      'deploy/job-production.tmpl',
      'lib/helpers.tpl',
    ];
    const refused = [
      'README.md',
      'src/main.ts',
      'Dockerfile.md',
      'Dockerfile-alpine.template',
      'build/Dockerfile.j2',
      'docs/image.png',
      'docs/Jenkinsfile.md',
      'quadlet/.container',
      'lib/_helpers.tpl',
      'deploy/templates/job.tmpl',
      'timoni/app/templates/config.cue',
      'config/devcontainer.json',
      'templates/web/nginx.conf.erb',
      'package.json',
      'web/tsconfig.app.json',
      'web/src/locales/en.json',
      'api/openapi.json',
      'config/app.schema.json',
    ];
    expect(wanted.map((file) => EXTRACTORS.some((extractor) => extractor.isCandidate(file)))).toEqual(wanted.map(() => true));
    expect(refused.map((file) => EXTRACTORS.some((extractor) => extractor.isCandidate(file)))).toEqual(refused.map(() => false));
  });
});

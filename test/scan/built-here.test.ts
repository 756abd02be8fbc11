import { describe, expect, it } from 'vitest';
import { dependenciesOf, type Proposal } from '../../src/core/dependency.js';
import { sourceFile } from '../../src/core/source-file.js';
import { scanSources, verifyEdits } from '../../src/pipeline/pipeline.js';
import { planUpdates } from '../../src/plan/plan-updates.js';
import { scanFiles } from '../../src/scan/scan-files.js';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail]);

describe('named build contexts are not images', () => {
  it('bake `contexts` names used by COPY --from, RUN --mount and FROM are left out; a real image beside them is kept', () => {
    const bake = 'target "api" {\n  contexts = {\n    protos = "./proto"\n    runtime = "target:runtime"\n    "cacert" = "https://pki.example.test/ca.tar"\n  }\n}\n';
    const dockerfile = 'FROM runtime\nCOPY --from=protos /p /p\nRUN --mount=from=cacert,target=/ca true\nCOPY --from=busybox:1.36.1 /bin/busybox /bin/\n';
    expect(scan({ 'docker-bake.hcl': bake, 'api/Dockerfile': dockerfile })).toEqual([['api/Dockerfile', 4, 'busybox:1.36.1', null, 'COPY --from']]);
  });

  it('reads contexts from docker-bake.json and from compose additional_contexts (map and list forms)', () => {
    const bake = JSON.stringify({ target: { api: { contexts: { schema: './schema' }, tags: ['acme-api:local'] } } });
    const compose =
      'services:\n  ui:\n    build:\n      context: ui\n      additional_contexts:\n        - fonts=./fonts\n  docs:\n    build:\n      context: docs\n      additional_contexts:\n        theme: ../theme\n';
    const dockerfile = 'FROM node:22.12.0\nCOPY --from=schema / /schema\nCOPY --from=fonts / /fonts\nCOPY --from=theme / /theme\nCOPY --from=icons / /icons\n';
    expect(scan({ 'docker-bake.json': bake, 'compose.yaml': compose, 'ui/Dockerfile': dockerfile })).toEqual([
      ['ui/Dockerfile', 1, 'node:22.12.0', null, undefined],
      ['ui/Dockerfile', 5, 'icons', 'no-tag', 'COPY --from'],
    ]);
  });
});

describe('images built in the repository are reported as local, with where they are built', () => {
  it('bake target tags, `docker build -t` / `--tag` (continued lines too) and `docker tag` in CI files', () => {
    const bake = 'target "base" {\n  tags = ["acme/base:dev", "registry.example.test/acme/base:${VERSION}"]\n}\n';
    const ci = [
      'build:',
      '  image: docker:27.4.1',
      '  script:',
      '    - |',
      '      docker buildx build \\',
      '        --platform linux/amd64 \\',
      '        -t acme/builder:ci .',
      '    - docker tag acme/builder:ci registry.example.test/acme/builder:1.4',
      '    - podman build --tag=acme/podman-built:2 .',
      '    - docker build -t "acme/worker:$CI_COMMIT_SHA" .',
      '',
    ].join('\n');
    const files = {
      'docker-bake.hcl': bake,
      '.gitlab-ci.yml': ci,
      'svc/Dockerfile': 'FROM acme/base:dev\nFROM acme/builder:ci\nFROM acme/podman-built:2\nFROM acme/worker:1.0\n',
      'k8s/job.yaml': 'apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n      containers:\n        - name: b\n          image: registry.example.test/acme/builder:1.4\n',
    };
    expect(scan(files)).toEqual([
      ['.gitlab-ci.yml', 2, 'docker:27.4.1', null, 'job build'],
      ['k8s/job.yaml', 8, 'registry.example.test/acme/builder:1.4', 'local-stage', 'built in this repository (.gitlab-ci.yml:8)'],
      ['svc/Dockerfile', 1, 'acme/base:dev', 'local-stage', 'built in this repository (docker-bake.hcl:2)'],
      ['svc/Dockerfile', 2, 'acme/builder:ci', 'local-stage', 'built in this repository (.gitlab-ci.yml:7)'],
      ['svc/Dockerfile', 3, 'acme/podman-built:2', 'local-stage', 'built in this repository (.gitlab-ci.yml:9)'],
      ['svc/Dockerfile', 4, 'acme/worker:1.0', null, undefined],
    ]);
  });

  it("a bake tag written with the bake file's variables is the name their literal defaults give", () => {
    const bake = [
      'variable "HELPER_REPO" {', // 1
      '  default = "registry.example.test/team/helper"', // 2
      '}', // 3
      'variable "HELPER_CHANNEL" {', // 4
      '  default = null', // 5
      '}', // 6
      'target "helper" {', // 7
      '  tags = ["${HELPER_REPO}", "${HELPER_REPO}:${HELPER_CHANNEL}"]', // 8
      '}', // 9
      '',
    ].join('\n');
    const dockerfile = 'FROM registry.example.test/team/helper AS helper\nFROM registry.example.test/team/helper:stable\n';
    expect(scan({ 'tools/docker-bake.hcl': bake, 'app/Dockerfile': dockerfile })).toEqual([
      ['app/Dockerfile', 1, 'registry.example.test/team/helper', 'local-stage', 'built in this repository (tools/docker-bake.hcl:8)'],
      // A variable without a literal default leaves the tag unknown.
      ['app/Dockerfile', 2, 'registry.example.test/team/helper:stable', null, undefined],
    ]);
  });

  it('a build or tag command on a comment line is text about a build, not one: the image stays an image to pull', () => {
    const ci = [
      'build:', // 1
      '  image: docker:27.4.1', // 2
      '  script:', // 3
      '    # podman build -t acme/notes:1 .', // 4
      '    - |', // 5
      '      # docker tag acme/src:1 acme/old-tag:1', // 6
      '      docker build -t acme/real:1 . # then push it', // 7
      '',
    ].join('\n');
    const jenkins = ["pipeline { agent any; stages { stage('b') { steps {", "  // sh 'docker build -t acme/groovy-note:1 .'", '} } } }', ''].join('\n');
    const files = {
      '.gitlab-ci.yml': ci,
      Jenkinsfile: jenkins,
      'svc/Dockerfile': 'FROM acme/notes:1\nFROM acme/old-tag:1\nFROM acme/real:1\nFROM acme/groovy-note:1\n',
    };
    expect(scan(files).filter((row) => row[0] === 'svc/Dockerfile')).toEqual([
      ['svc/Dockerfile', 1, 'acme/notes:1', null, undefined],
      ['svc/Dockerfile', 2, 'acme/old-tag:1', null, undefined],
      ['svc/Dockerfile', 3, 'acme/real:1', 'local-stage', 'built in this repository (.gitlab-ci.yml:7)'],
      ['svc/Dockerfile', 4, 'acme/groovy-note:1', null, undefined],
    ]);
  });

  it("a GitHub Actions job's container and services images that a compose file builds are the repository's own: local-stage, though the runner pulls them", () => {
    const compose = ['services:', '  graph:', '    image: example/graph-server:3.4', '    build: images/graph-server', ''].join('\n');
    const workflow = [
      'on: push',
      'jobs:',
      '  integration:',
      '    runs-on: ubuntu-latest',
      '    container: example/graph-server:3.4',
      '    services:',
      '      graph:',
      '        image: example/graph-server:3.4',
      '      cache:',
      '        image: example/cache:7.2',
      '    steps:',
      '      - run: make integration',
      '',
    ].join('\n');
    expect(scan({ 'docker-compose.yaml': compose, '.github/workflows/ci.yml': workflow })).toEqual([
      ['.github/workflows/ci.yml', 5, 'example/graph-server:3.4', 'local-stage', 'built in this repository (docker-compose.yaml:3)'],
      ['.github/workflows/ci.yml', 8, 'example/graph-server:3.4', 'local-stage', 'built in this repository (docker-compose.yaml:3)'],
      ['.github/workflows/ci.yml', 10, 'example/cache:7.2', null, undefined],
      ['docker-compose.yaml', 3, 'example/graph-server:3.4', null, undefined],
    ]);
  });

  it('Skaffold build artifacts are what Skaffold builds: not references, and manifests using them are local', () => {
    const skaffold = 'apiVersion: skaffold/v4beta11\nkind: Config\nbuild:\n  artifacts:\n    - image: cart\nprofiles:\n  - name: dev\n    build:\n      artifacts:\n        - image: cart-debug\n';
    const deployment =
      'apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: cart\n        - name: d\n          image: cart-debug\n        - name: r\n          image: redis:7.4.1\n';
    expect(scan({ 'skaffold.yaml': skaffold, 'k8s/cart.yaml': deployment })).toEqual([
      ['k8s/cart.yaml', 8, 'cart', 'local-stage', 'built in this repository (skaffold.yaml:5)'],
      ['k8s/cart.yaml', 10, 'cart-debug', 'local-stage', 'built in this repository (skaffold.yaml:10)'],
      ['k8s/cart.yaml', 12, 'redis:7.4.1', null, undefined],
    ]);
  });

  it("a Skaffold artifact is built for its own project's files: a CI step elsewhere pulling the same name is not local", () => {
    const testConfig = 'apiVersion: skaffold/v4beta11\nkind: Config\nbuild:\n  artifacts:\n    - image: registry.example.test/tools/deployer\n      context: base\n';
    const pod = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: d\n      image: registry.example.test/tools/deployer\n';
    const cloudbuild = "steps:\n  - name: 'registry.example.test/tools/deployer'\n    args: ['run']\n";
    expect(scan({ 'tests/deployer/skaffold.yaml': testConfig, 'tests/deployer/k8s/pod.yaml': pod, 'examples/cloudbuild.yaml': cloudbuild })).toEqual([
      ['examples/cloudbuild.yaml', 2, 'registry.example.test/tools/deployer', 'no-tag', undefined],
      ['tests/deployer/k8s/pod.yaml', 6, 'registry.example.test/tools/deployer', 'local-stage', 'built in this repository (tests/deployer/skaffold.yaml:5)'],
    ]);
  });

  it('an artifact a profile adds with a patch is built; one an artifact requires is another artifact of the build', () => {
    const config = [
      'apiVersion: skaffold/v4beta11',
      'kind: Config',
      'build:',
      '  artifacts:',
      '    - image: shop-web',
      '      requires:',
      '        - image: shop-base',
      '          alias: BASE',
      'profiles:',
      '  - name: worker',
      '    patches:',
      '      - op: add',
      '        path: /build/artifacts/1',
      '        value:',
      '          image: shop-worker',
      '          context: worker',
      '',
    ].join('\n');
    const pod = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: w\n      image: shop-worker\n';
    expect(scan({ 'shop/skaffold.yaml': config, 'shop/worker/pod.yaml': pod })).toEqual([
      ['shop/skaffold.yaml', 7, 'shop-base', 'local-stage', 'another artifact of the Skaffold build (requires)'],
      ['shop/worker/pod.yaml', 6, 'shop-worker', 'local-stage', 'built in this repository (shop/skaffold.yaml:15)'],
    ]);
  });
});

describe('compose variables set in the .env file beside the compose file', () => {
  it('shows the image the .env gives, names the line it is edited at; other folders, unset names and non-literal values are not edited', () => {
    const env = '# comment\nAPI_IMAGE=ghcr.io/acme/api:3.2.1\nexport WEB_IMAGE=\'nginx:1.27.3\'\nEMPTY_IMAGE=\nCACHE_IMAGE="redis:${REDIS_TAG}"\n';
    const compose =
      'services:\n  api:\n    image: "$API_IMAGE"\n  web:\n    image: ${WEB_IMAGE}\n  other:\n    image: $EMPTY_IMAGE\n  tagged:\n    image: acme/tool:${TOOL_TAG}\n  cache:\n    image: $CACHE_IMAGE\n';
    expect(scan({ 'stack/.env': env, 'stack/compose.yaml': compose, 'elsewhere/compose.yaml': 'services:\n  api:\n    image: $API_IMAGE\n' })).toEqual([
      ['elsewhere/compose.yaml', 3, '$API_IMAGE', 'templated', '$API_IMAGE is not set: it has no default, and no .env beside the file sets it'],
      ['stack/compose.yaml', 3, 'ghcr.io/acme/api:3.2.1', null, 'API_IMAGE from stack/.env:2, edited there'],
      ['stack/compose.yaml', 5, 'nginx:1.27.3', null, 'WEB_IMAGE from stack/.env:3, edited there'],
      ['stack/compose.yaml', 7, '$EMPTY_IMAGE', 'templated', undefined],
      ['stack/compose.yaml', 9, 'acme/tool:${TOOL_TAG}', 'templated', '${TOOL_TAG} is not set: it has no default, and stack/.env does not set it'],
      ['stack/compose.yaml', 11, '$CACHE_IMAGE', 'templated', undefined],
    ]);
  });

  const D1 = `sha256:${'c'.repeat(64)}`;
  const D2 = `sha256:${'d'.repeat(64)}`;
  const ENV = ['# Versions of the stack', 'APP_IMAGE=ghcr.io/acme/app:2.4.0', "DB_IMAGE='postgres:16.4'", 'PROXY_TAG=1.27.3 # pinned by ops', ''].join('\n');
  const COMPOSE = [
    'services:', // 1
    '  app:', // 2
    '    image: ${APP_IMAGE}', // 3
    '  db:', // 4
    '    image: ${DB_IMAGE:-postgres:15.8}', // 5
    '  proxy:', // 6
    '    image: nginx:${PROXY_TAG}-alpine', // 7
    '',
  ].join('\n');
  const files = (compose: string) => scanSources([sourceFile('.env', new Uint8Array(Buffer.from(ENV))), sourceFile('compose.yaml', new Uint8Array(Buffer.from(compose)))]);

  it('resolves whole variables, a variable with a default (the .env wins), and variables inside a reference', () => {
    const scanned = files(COMPOSE);
    expect(
      scanned.references.map((reference) => [
        reference.line,
        reference.value,
        reference.skip,
        reference.detail,
        reference.spans.map((span) => [span.file ?? reference.file, span.role, span.text, span.line]),
      ]),
    ).toEqual([
      [3, 'ghcr.io/acme/app:2.4.0', null, 'APP_IMAGE from .env:2, edited there', [['.env', 'reference', 'ghcr.io/acme/app:2.4.0', 2]]],
      [5, 'postgres:16.4', null, 'DB_IMAGE from .env:3, edited there; the default here (postgres:15.8) is not used', [['.env', 'reference', 'postgres:16.4', 3]]],
      [
        7,
        'nginx:1.27.3-alpine',
        null,
        'PROXY_TAG from .env:4, edited there',
        [
          ['compose.yaml', 'template', 'nginx:${PROXY_TAG}-alpine', 7],
          ['.env', 'variable', '1.27.3', 4],
        ],
      ],
    ]);
  });

  it('edits the literals in .env byte for byte, pins after a template, and verifies both files together', () => {
    const scanned = files(COMPOSE);
    const byName = new Map(dependenciesOf(scanned.references).map((dependency) => [`${dependency.location.repository}:${dependency.tag}`, dependency]));
    const proposal = (tag: string, digest: string): Proposal => ({ tag, digest, updateType: 'patch', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] });
    const plan = planUpdates([
      { dependency: byName.get('acme/app:2.4.0')!, update: proposal('2.4.1', D1), held: [], error: null },
      { dependency: byName.get('library/postgres:16.4')!, update: { ...proposal('16.6', D2), tagOnly: true }, held: [], error: null },
      { dependency: byName.get('library/nginx:1.27.3-alpine')!, update: proposal('1.27.4-alpine', D2), held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    expect(verifyEdits(plan.fileEdits, scanned).map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      ['.env', ENV.replace('ghcr.io/acme/app:2.4.0', `ghcr.io/acme/app:2.4.1@${D1}`).replace("'postgres:16.4'", "'postgres:16.6'").replace('PROXY_TAG=1.27.3 #', 'PROXY_TAG=1.27.4 #')],
      ['compose.yaml', COMPOSE.replace('nginx:${PROXY_TAG}-alpine', `nginx:\${PROXY_TAG}-alpine@${D2}`)],
    ]);
  });

  it('fails the change, saying why, when the compose file no longer uses the variable', () => {
    const scanned = files(COMPOSE);
    const [app] = dependenciesOf(scanned.references);
    const plan = planUpdates([{ dependency: app!, update: { tag: '2.4.1', digest: D1, updateType: 'patch', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] }, held: [], error: null }]);
    const changed = files(COMPOSE.replace('${APP_IMAGE}', 'ghcr.io/acme/app:2.4.0'));
    expect(verifyEdits(plan.fileEdits, { ...scanned, rescan: changed.rescan, files: changed.files }).map((outcome) => [outcome.file, outcome.ok ? 'ok' : outcome.reason])).toEqual([
      ['.env', 'not changed: it goes with compose.yaml, where re-scan did not find ghcr.io/acme/app:2.4.1@' + D1 + ' on line 3'],
      ['compose.yaml', 're-scan did not find ghcr.io/acme/app:2.4.1@' + D1 + ' on line 3'],
    ]);
  });
});

describe('kustomize', () => {
  it('reads image lines of inline patches at their place in the file, and leaves capital placeholders out', () => {
    const kustomization = [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'images:',
      '  - name: ghcr.io/acme/api',
      '    newTag: API_IMAGE_TAG',
      '  - name: redis',
      '    newName: MIRROR_REGISTRY/redis',
      '  - name: nginx',
      '    newTag: 1.27.3',
      'patches:',
      '  - patch: |-',
      '      apiVersion: apps/v1',
      '      kind: Deployment',
      '      metadata:',
      '        name: api',
      '      spec:',
      '        template:',
      '          spec:',
      '            containers:',
      '              - name: api',
      '                image: "ghcr.io/acme/api:2.0.1"  # pinned by release',
      '              - image: busybox:1.36.1',
      '                name: wait',
      '  - path: patch-file.yaml',
      'patchesStrategicMerge:',
      '  - |',
      '    apiVersion: apps/v1',
      '    kind: Deployment',
      '    metadata: {name: worker}',
      '    spec: {template: {spec: {containers: [{name: w, image: not-read-in-flow}]}}}',
      '    ---',
      '    kind: CronJob',
      '    spec:',
      '      jobTemplate:',
      '        spec:',
      '          template:',
      '            spec:',
      '              containers:',
      '                - name: sweep',
      '                  image: alpine:3.21.2',
      '',
    ].join('\n');
    const found = scanFiles([sourceFile('overlays/prod/kustomization.yaml', Buffer.from(kustomization, 'utf8'))]).references;
    expect(found.map((reference) => [reference.line, reference.column, reference.value, reference.kind, reference.skip, reference.detail])).toEqual([
      [8, 11, 'nginx:1.27.3', 'kustomize-image', null, undefined],
      [21, 25, 'ghcr.io/acme/api:2.0.1', 'kustomize-image', null, 'inline patch'],
      [22, 24, 'busybox:1.36.1', 'kustomize-image', null, 'inline patch'],
      [40, 26, 'alpine:3.21.2', 'kustomize-image', null, 'inline patch'],
    ]);
    expect(found[1]?.spans.map((span) => [span.role, span.text])).toEqual([['reference', 'ghcr.io/acme/api:2.0.1']]);
  });
});

describe('more values that are not container images', () => {
  it('updatecli manifests name images to watch, not to run: nothing is reported', () => {
    const manifest =
      'name: Bump alpine\nsources:\n  latest:\n    kind: dockerimage\n    spec:\n      image: alpine\n      tagfilter: "^3"\nconditions:\n  exists:\n    kind: dockerimage\n    spec:\n      image: "alpine"\ntargets:\n  dockerfile:\n    kind: dockerfile\n    spec:\n      file: Dockerfile\n';
    expect(scan({ 'updatecli/updatecli.d/alpine.yaml': manifest, 'chart/values.yaml': 'image: alpine:3.21.2\n' })).toEqual([['chart/values.yaml', 1, 'alpine:3.21.2', null, undefined]]);
  });

  it('an Azure Pipelines pool image is a virtual machine image; a container job image is kept', () => {
    const pipeline =
      'resources:\n  containers:\n    - container: sdk\n      image: mcr.microsoft.com/dotnet/sdk:9.0.101\npool:\n  name: Build-Windows\n  image: $(WindowsPoolImage)\n  os: windows\njobs:\n  - job: lint\n    pool:\n      image: 1es-ubuntu-22.04\n    container: sdk\n';
    expect(scan({ 'eng/pipelines/build.yml': pipeline })).toEqual([['eng/pipelines/build.yml', 4, 'mcr.microsoft.com/dotnet/sdk:9.0.101', null, undefined]]);
  });

  it('a pool image under template conditions is a virtual machine image too; a container under a condition is kept', () => {
    const template = [
      'jobs:',
      '  - job: sign',
      '    pool:',
      "      ${{ if eq(variables['System.TeamProject'], 'internal') }}:",
      '        name: Signing-Pool',
      '        image: 1es-windows-2025',
      '        os: windows',
      '      ${{ else }}:',
      '        ${{ if eq(parameters.hosted, true) }}:',
      '          name: Hosted-Pool',
      '          image: build.ubuntu.2404.amd64',
      '          os: linux',
      '    ${{ if eq(parameters.useContainer, true) }}:',
      '      container:',
      '        image: registry.example.test/build/signer:4.2.0',
      '',
    ].join('\n');
    expect(scan({ 'eng/templates/job/sign.yml': template })).toEqual([['eng/templates/job/sign.yml', 15, 'registry.example.test/build/signer:4.2.0', null, undefined]]);
  });

  it('a workflow matrix of names passed on to a reusable workflow is not images; one used as the container is', () => {
    const workflow = [
      'jobs:',
      '  build:',
      '    uses: ./.github/workflows/build-one.yml',
      '    with:',
      '      image: ${{ matrix.image }}',
      '    strategy:',
      '      matrix:',
      '        image: [base-notebook, minimal-notebook, quay.io/acme/tools:1.2]',
      '  test:',
      '    runs-on: ubuntu-latest',
      '    container: ${{ matrix.os }}',
      '    strategy:',
      '      matrix:',
      '        os: [fedora, debian:12.8]',
      '',
    ].join('\n');
    expect(scan({ '.github/workflows/ci.yml': workflow })).toEqual([
      ['.github/workflows/ci.yml', 8, 'quay.io/acme/tools:1.2', null, undefined],
      ['.github/workflows/ci.yml', 14, 'fedora', 'no-tag', undefined],
      ['.github/workflows/ci.yml', 14, 'debian:12.8', null, undefined],
    ]);
  });

  it('Cloud Build files named otherwise are recognised by their keys; Azure steps with names are not', () => {
    const cloudBuild =
      "steps:\n  - name: 'bash'\n    id: creds\n    args: ['-c', 'true']\n  - name: gcr.io/cloud-builders/gcloud:502.0.0\n    entrypoint: bash\ntimeout: 1200s\noptions:\n  machineType: E2_HIGHCPU_8\n";
    const azure = 'steps:\n  - script: make image\n    name: build_image\n';
    expect(scan({ 'ops/test.yaml': cloudBuild, 'ops/azure.yaml': azure })).toEqual([
      ['ops/test.yaml', 2, 'bash', 'no-tag', undefined],
      ['ops/test.yaml', 5, 'gcr.io/cloud-builders/gcloud:502.0.0', null, undefined],
    ]);
  });
});

describe('images a Puppet manifest builds or imports are not pulled', () => {
  it('docker::image with docker_file or docker_dir is a local build; docker::run of that name is local-stage', () => {
    const manifest = [
      'class site::shop {',
      "  docker::image { 'shop_front':",
      "    docker_file => '/srv/shop/Dockerfile',",
      '  }',
      "  docker::image { 'shop/worker':",
      "    image_tag  => '7',",
      "    docker_dir => '/srv/shop/worker',",
      '  }',
      "  docker::image { 'redis':",
      "    image_tag => '7.4.1',",
      '  }',
      "  docker::run { 'front': image => 'shop_front:latest' }",
      "  docker::run { 'worker': image => 'shop/worker:7' }",
      '}',
      '',
    ].join('\n');
    expect(scan({ 'site/shop/manifests/init.pp': manifest })).toEqual([
      ['site/shop/manifests/init.pp', 9, 'redis:7.4.1', null, "docker::image 'redis'"],
      ['site/shop/manifests/init.pp', 12, 'shop_front:latest', 'local-stage', "docker::run 'front'; built in this repository (site/shop/manifests/init.pp:2)"],
      ['site/shop/manifests/init.pp', 13, 'shop/worker:7', 'local-stage', "docker::run 'worker'; built in this repository (site/shop/manifests/init.pp:5)"],
    ]);
  });

  it('an image loaded from an archive (docker_tar, or image_name beside image_file in a hash) is not pulled either', () => {
    const manifest = [
      'class lab (',
      "  String $node_image = 'vrouter',",
      "  String $node_tag   = '24.1R1',",
      ') {',
      "  docker::image { 'probe': docker_tar => '/opt/probe.tar' }",
      "  class { 'labtool':",
      '    imports => {',
      "      'router' => { 'image_file' => '/opt/vrouter.tar.xz', 'image_name' => $node_image, 'image_tag' => $node_tag },",
      '    },',
      "    kinds   => { 'router' => { 'image' => 'vrouter', 'tag' => '24.1R1' } },",
      '  }',
      "  docker::run { 'probe': image => 'probe' }",
      '}',
      '',
    ].join('\n');
    expect(scan({ 'manifests/lab.pp': manifest })).toEqual([
      ['manifests/lab.pp', 2, 'vrouter:24.1R1', 'local-stage', 'lab parameters; built in this repository (manifests/lab.pp:8)'],
      ['manifests/lab.pp', 10, 'vrouter:24.1R1', 'local-stage', 'built in this repository (manifests/lab.pp:8)'],
      ['manifests/lab.pp', 12, 'probe', 'local-stage', "docker::run 'probe'; built in this repository (manifests/lab.pp:5)"],
    ]);
  });
});

describe('build contexts that are registry images', () => {
  it('a docker-image:// context in bake (HCL and JSON) and compose (map and list) is reported after the prefix; its name in the Dockerfile is not', () => {
    const bake = 'target "app" {\n  contexts = {\n    toolchain = "docker-image://golang:1.23.4-alpine"\n    "assets" = "./assets"\n  }\n}\n';
    const json = JSON.stringify({ target: { cli: { contexts: { certs: 'docker-image://registry.example.test/pki/certs:2024' } } } }, null, 2);
    const compose = [
      'services:',
      '  web:',
      '    build:',
      '      context: web',
      '      additional_contexts:',
      '        node: docker-image://node:22.12.0-slim',
      '  jobs:',
      '    build:',
      '      context: jobs',
      '      additional_contexts:',
      '        - runtime=docker-image://python:3.13.1',
      '        - lib=../lib',
      '',
    ].join('\n');
    const dockerfile = 'FROM toolchain AS build\nCOPY --from=node /usr/local/bin/node /bin/\nFROM runtime\n';
    expect(scan({ 'docker-bake.hcl': bake, 'docker-bake.json': json, 'compose.yaml': compose, 'web/Dockerfile': dockerfile })).toEqual([
      ['compose.yaml', 6, 'node:22.12.0-slim', null, 'build context node'],
      ['compose.yaml', 11, 'python:3.13.1', null, 'build context runtime'],
      ['docker-bake.hcl', 3, 'golang:1.23.4-alpine', null, 'build context toolchain'],
      ['docker-bake.json', 5, 'registry.example.test/pki/certs:2024', null, 'build context certs'],
    ]);
  });
});

describe('Helm values with an empty tag', () => {
  const chart = 'apiVersion: v2\nname: relay\nversion: 1.4.0\nappVersion: "2.9.1"\n';
  const values = 'image:\n  registry: registry.example.test\n  repository: tools/relay\n  tag: ""\nsidecar:\n  repository: tools/agent\n  tag:\n';

  it('shows the appVersion tag when the chart templates default the tag to it, and leaves it templated', () => {
    const helper = '{{- define "relay.image" -}}\n{{ .Values.image.registry }}/{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}\n{{- end }}\n';
    expect(scan({ 'charts/relay/Chart.yaml': chart, 'charts/relay/values.yaml': values, 'charts/relay/templates/_helpers.tpl': helper })).toEqual([
      [
        'charts/relay/values.yaml',
        3,
        'registry.example.test/tools/relay:2.9.1',
        'templated',
        "no tag here: the chart's templates use appVersion 2.9.1 (charts/relay/Chart.yaml:4); set there, not edited here",
      ],
      ['charts/relay/values.yaml', 6, 'tools/agent:2.9.1', 'templated', "no tag here: the chart's templates use appVersion 2.9.1 (charts/relay/Chart.yaml:4); set there, not edited here"],
    ]);
  });

  it('keeps the repository without a tag when no template defaults to appVersion, or when there is no Chart.yaml beside it', () => {
    const deployment = 'spec:\n  containers:\n    - image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n      labels: {{ .Chart.AppVersion }}\n';
    expect(scan({ 'relay/Chart.yaml': chart, 'relay/values.yaml': values, 'relay/templates/deployment.yaml': deployment, 'other/values.yaml': values })).toEqual([
      ['other/values.yaml', 3, 'registry.example.test/tools/relay', 'no-tag', undefined],
      ['other/values.yaml', 6, 'tools/agent', 'no-tag', undefined],
      ['relay/values.yaml', 3, 'registry.example.test/tools/relay', 'no-tag', undefined],
      ['relay/values.yaml', 6, 'tools/agent', 'no-tag', undefined],
    ]);
  });
});

describe('Helm appVersion defaults written other ways', () => {
  const chart = 'apiVersion: v2\nname: probe\nversion: 0.3.0\nappVersion: 1.8.2\n';
  const values = 'image:\n  registry: quay.io\n  repository: acme/probe\n  tag: ""\n';
  const detail = (text: string, at = 'probe/Chart.yaml:4') => `no tag here: the chart's templates use ${text} 1.8.2 (${at}); set there, not edited here`;
  const run = (templates: Record<string, string>, root = 'probe') =>
    scan({
      [`${root}/Chart.yaml`.replace(/^\//, '')]: chart,
      [`${root}/values.yaml`.replace(/^\//, '')]: values,
      ...Object.fromEntries(Object.entries(templates).map(([name, text]) => [`${root}/templates/${name}`.replace(/^\//, ''), text])),
    }).filter(([file]) => String(file).endsWith('values.yaml'));

  it('a helper that passes the tag to default after printf "v%s" .Chart.AppVersion keeps the v', () => {
    const helper = '{{- define "probe.image" -}}\n{{- printf "%s/%s:%s" .Values.image.registry .Values.image.repository (default (printf "v%s" .Chart.AppVersion) .Values.image.tag) }}\n{{- end }}\n';
    const deployment = 'spec:\n  containers:\n    - image: {{ include "probe.image" . }}\n';
    expect(run({ '_helpers.tpl': helper, 'deployment.yaml': deployment })).toEqual([['probe/values.yaml', 3, 'quay.io/acme/probe:v1.8.2', 'templated', detail('"v" + appVersion')]]);
  });

  it('| default (printf "v%s" .Chart.AppVersion) in the image line itself', () => {
    const deployment = 'spec:\n  containers:\n    - image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default (printf "v%s" .Chart.AppVersion) }}"\n';
    expect(run({ 'deployment.yaml': deployment })).toEqual([['probe/values.yaml', 3, 'quay.io/acme/probe:v1.8.2', 'templated', detail('"v" + appVersion')]]);
  });

  it('a named helper that prints print "v" .Chart.AppVersion when the values tag is empty', () => {
    const helper = '{{- define "probe.imageTag" -}}\n{{- if .Values.image.tag -}}\n{{- .Values.image.tag -}}\n{{- else -}}\n{{- print "v" .Chart.AppVersion -}}\n{{- end -}}\n{{- end -}}\n';
    expect(run({ '_helpers.tpl': helper })).toEqual([['probe/values.yaml', 3, 'quay.io/acme/probe:v1.8.2', 'templated', detail('"v" + appVersion')]]);
  });

  it('a variable holding the root context ($global, $root) is read like the dot', () => {
    const daemonset = '{{- $global := . }}\nspec:\n  containers:\n    - image: "{{ $global.Values.image.repository }}:{{ $global.Values.image.tag | default $global.Chart.AppVersion }}"\n';
    expect(run({ 'daemonset.yaml': daemonset })).toEqual([['probe/values.yaml', 3, 'quay.io/acme/probe:1.8.2', 'templated', detail('appVersion')]]);
    const job = '{{- $root := . }}\nimage: {{ $root.Values.image.repository }}:{{ default (print "v" $root.Chart.AppVersion) $root.Values.image.tag }}\n';
    expect(run({ 'job.yaml': job })).toEqual([['probe/values.yaml', 3, 'quay.io/acme/probe:v1.8.2', 'templated', detail('"v" + appVersion')]]);
  });

  it('a chart at the root of the scan reads its own templates', () => {
    const deployment = 'image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"\n';
    expect(run({ 'deployment.yaml': deployment }, '')).toEqual([['values.yaml', 3, 'quay.io/acme/probe:1.8.2', 'templated', detail('appVersion', 'Chart.yaml:4')]]);
  });

  it('stays no-tag when the templates add different texts, or print appVersion only as a label', () => {
    const both = {
      'a.yaml': 'image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"\n',
      'b.yaml': 'image: "{{ .Values.other.repository }}:{{ .Values.other.tag | default (printf "v%s" .Chart.AppVersion) }}"\n',
    };
    expect(run(both)).toEqual([['probe/values.yaml', 3, 'quay.io/acme/probe', 'no-tag', undefined]]);
    const labels =
      '{{- define "probe.labels" -}}\napp.kubernetes.io/version: {{ .Chart.AppVersion }}\nimage-tag: {{ .Values.image.tag | quote }}\nrelease: {{ print "v" .Chart.AppVersion | quote }}\n{{- end }}\n';
    expect(run({ '_helpers.tpl': labels })).toEqual([['probe/values.yaml', 3, 'quay.io/acme/probe', 'no-tag', undefined]]);
  });
});

describe('Dockerfiles under other names, by content', () => {
  it('a file named Docker…/Container… with no extension is read as a Dockerfile when every line is an instruction and it starts with FROM (after ARGs)', () => {
    const apache = '# web server image for the demo host\nFROM debian:12.8\nRUN apt-get update && \\\n    apt-get install -y apache2\nEXPOSE 80\nCMD ["apachectl", "-D", "FOREGROUND"]\n';
    const based = 'ARG BASE=alpine:3.21\nFROM $BASE\nCOPY app /app\n';
    const script = '#!/bin/sh\nset -e\nexec "$@"\n';
    const notes = 'FROM here on, the build uses the cache.\nSee the wiki.\n';
    expect(
      scan({
        'modules/web/files/DockerDebianApache': apache,
        'tools/Dockerfile_base': based,
        'docker-entrypoint': script,
        'docs/DockerNotes': notes,
        'modules/web/files/DockerDebianApache.md': apache,
      }),
    ).toEqual([
      ['modules/web/files/DockerDebianApache', 2, 'debian:12.8', null, undefined],
      ['tools/Dockerfile_base', 2, 'alpine:3.21', null, undefined],
    ]);
  });

  it("a Dockerfile's name with a dash or an underscore, a name and an extension is read when its content is a Dockerfile", () => {
    const cuda = 'ARG CUDA=12.6.3\nFROM registry.example.test/gpu/cuda:${CUDA}-runtime\nRUN make -C /src\n';
    const lint = 'on: push\njobs:\n  lint:\n    runs-on: ubuntu-24.04\n    container: registry.example.test/ci/hadolint:2.12\n';
    // Before, neither `.gpu` nor `.arm64` file was read.
    expect(
      scan({
        'docker/gpu/dockerfile-cli-only.gpu': cuda,
        'docker/Containerfile_base.arm64': 'FROM registry.example.test/base/os:9.5\n',
        '.github/workflows/dockerfile-lint.yml': lint,
        'docker/Dockerfile-cli.template': cuda,
        'docker/dockerfile-cli.md': cuda,
      }),
    ).toEqual([
      ['.github/workflows/dockerfile-lint.yml', 5, 'registry.example.test/ci/hadolint:2.12', null, undefined],
      ['docker/Containerfile_base.arm64', 1, 'registry.example.test/base/os:9.5', null, undefined],
      ['docker/gpu/dockerfile-cli-only.gpu', 2, 'registry.example.test/gpu/cuda:12.6.3-runtime', null, undefined],
    ]);
  });

  it('a FROM that picks an earlier stage through a build argument is the stage, not an image', () => {
    const dockerfile = 'FROM alpine:3.21 AS base\nFROM base AS out-linux\nFROM scratch AS out-windows\nFROM out-$TARGETOS AS out\nFROM $RUNTIME\n';
    expect(scan({ Dockerfile: dockerfile })).toEqual([
      ['Dockerfile', 1, 'alpine:3.21', null, undefined],
      ['Dockerfile', 5, '$RUNTIME', 'templated', undefined],
    ]);
  });
});

describe('Ansible variables', () => {
  it('an image passed on through one variable is not a reference; the variable written as a full image is, and comparison modes are not images', () => {
    const tasks = [
      '- name: start the probe',
      '  community.docker.docker_container:',
      '    name: probe',
      '    image: "{{ probe_image_default }}"',
      '    comparisons:',
      '      image: ignore',
      '- name: tag it',
      '  community.docker.docker_image:',
      '    name: "{{ probe_image_default }}:local"',
      '    source: local',
      '',
    ].join('\n');
    const vars = 'probe_image_default: registry.example.test/tools/probe:1.4.2\nprobe_image_tag: "1.4"\nprobe_image_pull_policy: always\nprobe_image_base: tools/probe\n';
    expect(scan({ 'roles/probe/tasks/main.yml': tasks, 'roles/probe/vars/main.yml': vars })).toEqual([['roles/probe/vars/main.yml', 1, 'registry.example.test/tools/probe:1.4.2', null, undefined]]);
  });
});

import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

const release = [
  'on: push',
  'jobs:',
  '  images:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: docker/setup-qemu-action@v3',
  '        with:',
  '          image: tonistiigi/binfmt:qemu-v9.2.2',
  '          platforms: arm64,riscv64',
  '      - uses: docker/setup-buildx-action@v3',
  '        with:',
  '          driver-opts: network=host,image=moby/buildkit:v0.18.2',
  '      - uses: docker/setup-buildx-action@v3',
  '        with:',
  '          driver-opts: |',
  '            env.BUILDKIT_STEP_LOG_MAX_SIZE=10485760',
  '            image=docker.io/moby/buildkit:buildx-stable-1',
  '      - uses: helm/kind-action@v1.10.0',
  '        with:',
  '          node_image: kindest/node:v1.31.2',
  '      - uses: addnab/docker-run-action@v3',
  '        with:',
  '          image: ghcr.io/example/tools:2.4',
  '          run: make check',
  '',
].join('\n');

describe('image inputs of well-known actions', () => {
  it('reads QEMU, buildx driver, kind node and docker-run images, each on its own line', () => {
    expect(scan({ '.github/workflows/release.yml': release })).toEqual([
      ['.github/workflows/release.yml', 8, 'tonistiigi/binfmt:qemu-v9.2.2', null],
      ['.github/workflows/release.yml', 12, 'moby/buildkit:v0.18.2', null],
      ['.github/workflows/release.yml', 17, 'docker.io/moby/buildkit:buildx-stable-1', null],
      ['.github/workflows/release.yml', 20, 'kindest/node:v1.31.2', null],
      ['.github/workflows/release.yml', 23, 'ghcr.io/example/tools:2.4', null],
    ]);
  });

  it('the span of a driver option is the image text alone, inside a one-line list and inside a block (CRLF kept)', () => {
    const text = release.replaceAll('\n', '\r\n');
    const spans = scanTexts({ '.github/workflows/release.yml': text }).references.map((reference) =>
      reference.spans.map((span) => [span.text, span.line, span.column, text.slice(span.start, span.end)]),
    );
    expect(spans).toEqual([
      [['tonistiigi/binfmt:qemu-v9.2.2', 8, 18, 'tonistiigi/binfmt:qemu-v9.2.2']],
      [['moby/buildkit:v0.18.2', 12, 43, 'moby/buildkit:v0.18.2']],
      [['docker.io/moby/buildkit:buildx-stable-1', 17, 19, 'docker.io/moby/buildkit:buildx-stable-1']],
      [['kindest/node:v1.31.2', 20, 23, 'kindest/node:v1.31.2']],
      [['ghcr.io/example/tools:2.4', 23, 18, 'ghcr.io/example/tools:2.4']],
    ]);
  });

  it("Renovate's action: renovate-image at the tag renovate-version is one reference, edited in both inputs", () => {
    const renovate =
      'on: schedule\njobs:\n  renovate:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: renovatebot/github-action@v46.1.14\n        with:\n          renovate-image: ghcr.io/renovatebot/renovate\n          renovate-version: 39-full\n';
    const references = scanTexts({ '.github/workflows/renovate.yml': renovate }).references;
    expect(references.map((reference) => [reference.line, reference.value, reference.skip, reference.spans.map((span) => [span.role, span.text, span.line])])).toEqual([
      [
        8,
        'ghcr.io/renovatebot/renovate:39-full',
        null,
        [
          ['repository', 'ghcr.io/renovatebot/renovate', 8],
          ['tag', '39-full', 9],
        ],
      ],
    ]);
  });

  it('an image input taken from a matrix axis makes the axis an image axis, as a job container does', () => {
    const matrix =
      'on: pull_request\njobs:\n  install:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        k8s:\n          - "kindest/node:v1.34.2"\n          - "kindest/node:v1.33.4"\n    steps:\n      - uses: helm/kind-action@v1\n        with:\n          node_image: ${{ matrix.k8s }}\n';
    expect(scan({ '.github/workflows/install.yml': matrix })).toEqual([
      ['.github/workflows/install.yml', 8, 'kindest/node:v1.34.2', null],
      ['.github/workflows/install.yml', 9, 'kindest/node:v1.33.4', null],
    ]);
  });

  it('a matrix use the workflow cannot list is templated, naming the expression; an input and a job container alike', () => {
    const workflow = [
      'on: pull_request', // 1
      'jobs:', // 2
      '  planned:', // 3
      '    runs-on: ubuntu-latest', // 4
      '    strategy:', // 5
      '      matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}', // 6
      '    container:', // 7
      '      image: ${{ matrix.image }}', // 8
      '    steps:', // 9
      '      - uses: helm/kind-action@v1', // 10
      '        with:', // 11
      '          node_image: ${{ matrix.k8s }}', // 12
      '  extra:', // 13
      '    runs-on: ubuntu-latest', // 14
      '    strategy:', // 15
      '      matrix:', // 16
      '        k8s: ["kindest/node:v1.32.5"]', // 17
      '        include: ${{ fromJSON(inputs.more) }}', // 18
      '    steps:', // 19
      '      - uses: helm/kind-action@v1', // 20
      '        with:', // 21
      '          node_image: ${{ matrix.k8s }}', // 22
      '  unset:', // 23
      '    runs-on: ubuntu-latest', // 24
      '    container: ${{ matrix.image }}', // 25
      '    strategy:', // 26
      '      matrix:', // 27
      '        os: [linux]', // 28
      '    steps: [{run: make}]', // 29
      '  trimmed:', // 30
      '    runs-on: ubuntu-latest', // 31
      '    container: ${{ matrix.image }}', // 32
      '    strategy:', // 33
      '      matrix:', // 34
      '        image: ["debian:12.8", "alpine:3.21.0"]', // 35
      '        exclude: ${{ fromJSON(inputs.skip) }}', // 36
      '        include:', // 37
      '          - image: fedora:41', // 38
      '    steps: [{run: make}]', // 39
      '',
    ].join('\n');
    const references = scanTexts({ '.github/workflows/kinds.yml': workflow }).references;
    expect(references.map((reference) => [reference.line, reference.value, reference.skip, reference.detail ?? null])).toEqual([
      [8, '${{ matrix.image }}', 'templated', 'matrix.image comes from strategy.matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}, known only when the workflow runs'],
      [12, '${{ matrix.k8s }}', 'templated', 'matrix.k8s comes from strategy.matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}, known only when the workflow runs'],
      [17, 'kindest/node:v1.32.5', null, null],
      [22, '${{ matrix.k8s }}', 'templated', 'matrix.k8s comes from include: ${{ fromJSON(inputs.more) }}, known only when the workflow runs'],
      [25, '${{ matrix.image }}', 'templated', "matrix.image is not set in the job's strategy.matrix"],
      [35, 'debian:12.8', null, null],
      [35, 'alpine:3.21.0', null, null],
      [38, 'fedora:41', null, null],
    ]);
    expect(references[2]!.spans.map((span) => [span.role, span.text, span.line, span.column])).toEqual([['reference', 'kindest/node:v1.32.5', 17, 16]]);
  });

  it('an input written ${{ env.NAME }} is the env value of the step, else the job, else the workflow: reported where it is written, once', () => {
    const clusters = [
      'on: push', // 1
      'env:', // 2
      '  node-image: kindest/node:v1.30.4', // 3
      'jobs:', // 4
      '  smoke:', // 5
      '    runs-on: ubuntu-latest', // 6
      '    env:', // 7
      "      cluster-image: 'kindest/node:v1.31.2'", // 8
      '    steps:', // 9
      '      - uses: helm/kind-action@v1.10.0', // 10
      '        with:', // 11
      '          node_image: ${{ env.cluster-image }}', // 12
      '      - uses: engineerd/setup-kind@v0.5.0', // 13
      '        with:', // 14
      '          image: ${{ env.cluster-image }}', // 15
      '      - uses: helm/kind-action@v1.10.0', // 16
      '        env:', // 17
      '          cluster-image: kindest/node:v1.29.8', // 18
      '        with:', // 19
      '          node_image: ${{ env.cluster-image }}', // 20
      '  upgrade:', // 21
      '    runs-on: ubuntu-latest', // 22
      '    steps:', // 23
      '      - uses: helm/kind-action@v1.10.0', // 24
      '        with:', // 25
      '          node_image: ${{ env.node-image }}', // 26
      '      - uses: helm/kind-action@v1.10.0', // 27
      '        with:', // 28
      '          node_image: ${{ env.next-image }}', // 29
      '',
    ].join('\n');
    const references = scanTexts({ '.github/workflows/clusters.yml': clusters }).references;
    expect(references.map((reference) => [reference.line, reference.value, reference.skip, reference.detail ?? null])).toEqual([
      [3, 'kindest/node:v1.30.4', null, 'the node_image input of helm/kind-action (line 26) takes it as env.node-image'],
      [8, 'kindest/node:v1.31.2', null, 'the node_image input of helm/kind-action (line 12) takes it as env.cluster-image'],
      [18, 'kindest/node:v1.29.8', null, 'the node_image input of helm/kind-action (line 20) takes it as env.cluster-image'],
      // Set by no env map of the workflow (a step may write it to GITHUB_ENV): the use is shown templated.
      [29, '${{ env.next-image }}', 'templated', null],
    ]);
    expect(references.map((reference) => reference.spans.map((span) => [span.text, span.line, span.column]))).toEqual([
      [['kindest/node:v1.30.4', 3, 15]],
      [['kindest/node:v1.31.2', 8, 23]],
      [['kindest/node:v1.29.8', 18, 26]],
      [['${{ env.next-image }}', 29, 23]],
    ]);
  });

  it('a buildx driver option image=${{ env.NAME }} is the env value of the step, else the job, else the workflow: reported there, once', () => {
    const builders = [
      'on: push', // 1
      'env:', // 2
      '  builder-image: "registry.example.test/tools/buildkit:v0.20.1"', // 3
      'jobs:', // 4
      '  lint:', // 5
      '    runs-on: ubuntu-latest', // 6
      '    steps:', // 7
      '      - uses: docker/setup-buildx-action@v3', // 8
      '        with:', // 9
      '          driver-opts: image=${{ env.builder-image }}', // 10
      '  test:', // 11
      '    runs-on: ubuntu-latest', // 12
      '    env:', // 13
      '      builder-image: registry.example.test/tools/buildkit:v0.19.4', // 14
      '    steps:', // 15
      '      - uses: docker/setup-buildx-action@v3', // 16
      '        with:', // 17
      '          driver-opts: |', // 18
      '            network=host', // 19
      '            image=${{ env.builder-image }}', // 20
      '      - uses: docker/setup-buildx-action@v3', // 21
      '        with:', // 22
      '          driver-opts: image=${{ env.builder-image }},network=host', // 23
      '      - uses: docker/setup-buildx-action@v3', // 24
      '        env:', // 25
      '          next-image: registry.example.test/tools/buildkit:v0.21.0-rc1', // 26
      '        with:', // 27
      '          driver-opts: image=${{ env.next-image }}', // 28
      '      - uses: docker/setup-buildx-action@v3', // 29
      '        with:', // 30
      '          driver-opts: image=${{ env.unset-image }}', // 31
      '',
    ].join('\n');
    const references = scanTexts({ '.github/workflows/builders.yml': builders }).references;
    expect(references.map((reference) => [reference.line, reference.value, reference.skip, reference.detail ?? null])).toEqual([
      [3, 'registry.example.test/tools/buildkit:v0.20.1', null, 'the driver-opts input of docker/setup-buildx-action (line 10) takes it as image=${{ env.builder-image }}'],
      [14, 'registry.example.test/tools/buildkit:v0.19.4', null, 'the driver-opts input of docker/setup-buildx-action (line 18) takes it as image=${{ env.builder-image }}'],
      [26, 'registry.example.test/tools/buildkit:v0.21.0-rc1', null, 'the driver-opts input of docker/setup-buildx-action (line 28) takes it as image=${{ env.next-image }}'],
    ]);
    expect(references.map((reference) => reference.spans.map((span) => [span.text, span.line, span.column]))).toEqual([
      [['registry.example.test/tools/buildkit:v0.20.1', 3, 19]],
      [['registry.example.test/tools/buildkit:v0.19.4', 14, 22]],
      [['registry.example.test/tools/buildkit:v0.21.0-rc1', 26, 23]],
    ]);
  });

  it("the driver-opts of the nodes buildx's append input adds name their BuildKit images, each edited where it stands in the block", () => {
    const nodes = [
      'on: push', // 1
      'jobs:', // 2
      '  images:', // 3
      '    runs-on: ubuntu-latest', // 4
      '    steps:', // 5
      '      - uses: docker/setup-buildx-action@v3', // 6
      '        with:', // 7
      '          driver-opts: image=registry.example.test/tools/buildkit:v0.19.4', // 8
      '          append: |', // 9
      '            - endpoint: ssh://arm-builder', // 10
      '              platforms: linux/arm64', // 11
      '              driver-opts:', // 12
      '                - network=host', // 13
      '                - image=registry.example.test/tools/buildkit:v0.20.1', // 14
      '            - name: riscv-node', // 15
      '              endpoint: ssh://riscv-builder', // 16
      '              # - image=registry.example.test/tools/buildkit:v0.18.0', // 17
      '              driver-opts: [image=registry.example.test/tools/buildkit-riscv:0.3.0]', // 18
      '            - endpoint: ssh://other-builder', // 19
      '              buildkitd-flags: --debug image=registry.example.test/tools/not-an-option:1.0', // 20
      '              driver-opts:', // 21
      '                - image=${{ env.BUILDKIT_IMAGE }}', // 22
      '',
    ].join('\n');
    const references = scanTexts({ '.github/workflows/nodes.yml': nodes }).references;
    expect(references.map((reference) => [reference.line, reference.value, reference.kind, reference.skip])).toEqual([
      [8, 'registry.example.test/tools/buildkit:v0.19.4', 'yaml-image', null],
      [14, 'registry.example.test/tools/buildkit:v0.20.1', 'yaml-image', null],
      [18, 'registry.example.test/tools/buildkit-riscv:0.3.0', 'yaml-image', null],
    ]);
    expect(references.map((reference) => reference.spans.map((span) => [span.line, span.column, nodes.slice(span.start, span.end)]))).toEqual([
      [[8, 30, 'registry.example.test/tools/buildkit:v0.19.4']],
      [[14, 25, 'registry.example.test/tools/buildkit:v0.20.1']],
      [[18, 35, 'registry.example.test/tools/buildkit-riscv:0.3.0']],
    ]);
  });

  it('an append input that is no list of nodes names no image', () => {
    const plain = [
      'on: push',
      'jobs:',
      '  images:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: docker/setup-buildx-action@v3',
      '        with:',
      '          append: ${{ steps.nodes.outputs.list }}',
      '      - uses: docker/setup-buildx-action@v3',
      '        with:',
      '          append: "image=registry.example.test/tools/buildkit:v0.20.1"',
      '',
    ].join('\n');
    expect(scan({ '.github/workflows/plain.yml': plain })).toEqual([]);
  });

  it('an image input of a step in an action of its own (composite action.yml) is read the same way', () => {
    const action = 'name: setup\nruns:\n  using: composite\n  steps:\n    - uses: docker/setup-qemu-action@v3\n      with:\n        image: "tonistiigi/binfmt:latest"\n';
    expect(scan({ 'action.yml': action })).toEqual([['action.yml', 7, 'tonistiigi/binfmt:latest', null]]);
  });

  it('inputs of other actions, of docker:// steps, a driver image from an expression and other driver options are not images here', () => {
    const other = [
      'on: push',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: ./.github/actions/publish',
      '        with:',
      '          image: ghcr.io/example/app:1.0',
      '      - uses: docker/build-push-action@v6',
      '        with:',
      '          tags: example/app:1.0',
      '      - uses: docker://alpine:3.21',
      '        with:',
      '          image: not-an-input:1',
      '      - uses: docker/setup-buildx-action@v3',
      '        with:',
      '          driver-opts: image=${{ env.BUILDKIT_IMAGE }}',
      '      - uses: docker/setup-buildx-action@v3',
      '        with:',
      '          driver-opts: network=host',
      '          buildkitd-flags: --debug',
      '',
    ].join('\n');
    expect(scan({ '.github/workflows/build.yml': other })).toEqual([['.github/workflows/build.yml', 12, 'alpine:3.21', null]]);
  });

  it('a matrix value that is one expression over job outputs passes on an image computed elsewhere, unless the job runs the axis', () => {
    const workflow = [
      'on: pull_request', // 1
      'jobs:', // 2
      '  build:', // 3
      '    runs-on: ubuntu-latest', // 4
      '    strategy:', // 5
      '      matrix:', // 6
      '        include:', // 7
      '          - target: web', // 8
      '            image: ${{ needs.meta.outputs.web_image }}', // 9
      '          - target: tools', // 10
      '            image: registry.example.test/team/tools:${{ github.sha }}', // 11
      '    steps:', // 12
      '      - run: docker run --rm "${{ matrix.image }}" make check', // 13 (a build tagged with the axis would make it the job's own)
      '  pull:', // 14
      '    runs-on: ubuntu-latest', // 15
      '    strategy:', // 16
      '      matrix:', // 17
      '        image: ${{ fromJSON(needs.extract.outputs.images) }}', // 18
      '    steps:', // 19
      '      - run: docker pull "$IMAGE"', // 20
      '        env:', // 21
      '          IMAGE: ${{ matrix.image }}', // 22
      '  test:', // 23
      '    runs-on: ubuntu-latest', // 24
      '    container: ${{ matrix.image }}', // 25
      '    strategy:', // 26
      '      matrix:', // 27
      '        image: ["${{ needs.meta.outputs.web_image }}"]', // 28
      '    steps: [{run: make}]', // 29
      '',
    ].join('\n');
    expect(scan({ '.github/workflows/preview.yml': workflow })).toEqual([
      ['.github/workflows/preview.yml', 11, 'registry.example.test/team/tools:${{ github.sha }}', 'templated'],
      ['.github/workflows/preview.yml', 28, '${{ needs.meta.outputs.web_image }}', 'templated'],
    ]);
  });
});

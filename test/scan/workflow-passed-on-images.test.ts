import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

describe('GitHub Actions values that pass on or push an image another step makes', () => {
  it('a value made only of job or step outputs names no image, in a workflow read as plain YAML', () => {
    // Jobs that only call reusable workflows: the file is not read as a workflow, so its `with:` inputs were read as plain YAML.
    const deploy = [
      'name: deploy', // 1
      'on:', // 2
      '  workflow_call:', // 3
      'jobs:', // 4
      '  publish:', // 5
      '    uses: ./.github/workflows/publish-image.yml', // 6
      '  deploy-eu:', // 7
      '    needs: [publish]', // 8
      '    uses: ./.github/workflows/deploy-service.yml', // 9
      '    with:', // 10
      '      service_image: ${{ needs.publish.outputs.image }}', // 11
      '      sidecar_image: ${{ needs.publish.outputs.repository }}:${{ needs.publish.outputs.tag }}', // 12
      '      proxy_image: registry.example.test/edge/proxy:${{ needs.publish.outputs.tag }}', // 13
      '      cache_image: registry.example.test/edge/cache:7.4.1', // 14
      '',
    ].join('\n');
    // Before, lines 11 and 12 were reported `templated` too.
    expect(scan({ '.github/workflows/deploy/deploy-eu.yml': deploy })).toEqual([
      ['.github/workflows/deploy/deploy-eu.yml', 13, 'registry.example.test/edge/proxy:${{ needs.publish.outputs.tag }}', 'templated'],
      ['.github/workflows/deploy/deploy-eu.yml', 14, 'registry.example.test/edge/cache:7.4.1', null],
    ]);
  });

  it('a matrix axis handed to a build action as the names it pushes is what the job makes; one the job runs stays', () => {
    const publish = [
      'name: images', // 1
      'on: [push]', // 2
      'jobs:', // 3
      '  publish:', // 4
      '    runs-on: ubuntu-latest', // 5
      '    strategy:', // 6
      '      matrix:', // 7
      '        image:', // 8
      '          - registry.example.test/shop/web', // 9
      '          - registry.example.test/shop/worker', // 10
      '        base-image:', // 11
      '          - registry.example.test/base/python:3.12.4', // 12
      '    steps:', // 13
      '      - uses: docker/metadata-action@v5', // 14
      '        id: meta', // 15
      '        with:', // 16
      '          images: |', // 17
      '            ${{ matrix.image }}', // 18
      '      - uses: docker/build-push-action@v6', // 19
      '        with:', // 20
      '          push: true', // 21
      '          tags: ${{ steps.meta.outputs.tags }}', // 22
      '          build-args: BASE=${{ matrix.base-image }}', // 23
      '  bundle:', // 24
      '    runs-on: ubuntu-latest', // 25
      '    strategy:', // 26
      '      matrix:', // 27
      '        image:', // 28
      '          - registry.example.test/shop/bundle', // 29
      '    steps:', // 30
      '      - uses: docker/build-push-action@v6', // 31
      '        with:', // 32
      '          tags: ${{ matrix.image }}:latest,${{ matrix.image }}:${{ github.sha }}', // 33
      '  check:', // 34
      '    runs-on: ubuntu-latest', // 35
      '    strategy:', // 36
      '      matrix:', // 37
      '        image:', // 38
      '          - registry.example.test/shop/checker', // 39
      '    container: ${{ matrix.image }}', // 40
      '    steps:', // 41
      '      - uses: docker/metadata-action@v5', // 42
      '        with:', // 43
      '          images: ${{ matrix.image }}', // 44
      '',
    ].join('\n');
    // Before, lines 9, 10 and 29 were reported `no-tag`.
    expect(scan({ '.github/workflows/images.yml': publish })).toEqual([
      ['.github/workflows/images.yml', 12, 'registry.example.test/base/python:3.12.4', null],
      ['.github/workflows/images.yml', 39, 'registry.example.test/shop/checker', 'no-tag'],
    ]);
  });

  it("a matrix axis a drop-in of docker/build-push-action takes in its tags is what the job makes, as with Docker's own", () => {
    const publish = (uses: string) =>
      [
        'on: [push]', // 1
        'jobs:', // 2
        '  publish:', // 3
        '    runs-on: ubuntu-latest', // 4
        '    strategy:', // 5
        '      matrix:', // 6
        '        image: [registry.example.test/shop/cart, registry.example.test/shop/cart-worker]', // 7
        '    steps:', // 8
        `      - uses: ${uses}`, // 9
        '        with:', // 10
        '          tags: ${{ matrix.image }}:${{ github.sha }}', // 11
        '',
      ].join('\n');
    expect(scan({ '.github/workflows/images.yml': publish('useblacksmith/build-push-action@v2') })).toEqual([]);
    expect(scan({ '.github/workflows/images.yml': publish('depot/build-push-action@v1') })).toEqual([]);
    // An action of another name is not known to push its tags: the axis is read as images.
    expect(scan({ '.github/workflows/images.yml': publish('example-org/publish-action@v1') })).toEqual([
      ['.github/workflows/images.yml', 7, 'registry.example.test/shop/cart', 'no-tag'],
      ['.github/workflows/images.yml', 7, 'registry.example.test/shop/cart-worker', 'no-tag'],
    ]);
  });

  it("a matrix axis a job's `run` script tags a build with and pushes is what the job makes; one it pulls stays", () => {
    const release = [
      'name: release', // 1
      'on: [push]', // 2
      'jobs:', // 3
      '  build:', // 4
      '    runs-on: ubuntu-latest', // 5
      '    strategy:', // 6
      '      matrix:', // 7
      '        image: [registry.example.test/team/ledger, registry.example.test/team/ledger-worker]', // 8
      '    steps:', // 9
      '      - run: |', // 10
      '          docker build \\', // 11
      '            --file Dockerfile \\', // 12
      '            -t "${{ matrix.image }}:${{ github.sha }}" .', // 13
      '  push:', // 14
      '    runs-on: ubuntu-latest', // 15
      '    strategy:', // 16
      '      matrix:', // 17
      '        image:', // 18
      '          - registry.example.test/team/gateway', // 19
      '          - registry.example.test/team/gateway-admin', // 20
      '    steps:', // 21
      '      - run: make image && docker push ${{ matrix.image }}', // 22
      '  mirror:', // 23
      '    runs-on: ubuntu-latest', // 24
      '    strategy:', // 25
      '      matrix:', // 26
      '        image: [registry.example.test/upstream/cache:7.4]', // 27
      '    steps:', // 28
      '      - run: docker pull ${{ matrix.image }} && docker push ${{ matrix.image }}', // 29
      '',
    ].join('\n');
    // Before, lines 8 (twice), 19 and 20 were reported `no-tag`.
    expect(scan({ '.github/workflows/release.yml': release })).toEqual([['.github/workflows/release.yml', 27, 'registry.example.test/upstream/cache:7.4', null]]);
  });
});

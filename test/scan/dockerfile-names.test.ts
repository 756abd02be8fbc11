import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value]);

/** A Dockerfile whose ENV instruction holds a comment line between its continued lines. */
const COMMENTED = ['FROM registry.example.test/base/runtime:2.4', '', 'ENV MODE=batch \\', '    # connection pool', '    POOL_MIN=3 \\', '    POOL_MAX=10', 'RUN ./setup.sh', ''].join('\n');

describe('Dockerfile names', () => {
  const forms: Array<[string, string]> = [
    ['Dockerfile', 'plain'],
    ['deploy/dockerfile', 'lower case'],
    ['DOCKERFILE', 'capitals'],
    ['Containerfile', 'Containerfile'],
    ['deploy/Dockerfile.prod', 'a suffix after a dot'],
    ['Containerfile.arm64', 'Containerfile with a suffix after a dot'],
    ['tests/Dockerfile-windows', 'a suffix after a dash'],
    ['connectors/Dockerfile_warehouse', 'a suffix after an underscore'],
    ['Containerfile_base', 'Containerfile with a suffix after an underscore'],
    ['build/app.Dockerfile', 'Dockerfile as the extension'],
    ['ci/runner.dockerfile', 'dockerfile as the extension'],
    ['svc.containerfile', 'containerfile as the extension'],
  ];
  for (const [path, form] of forms) {
    it(`reads ${form} (${path}) by its name, comment lines inside a continued instruction and all`, () => {
      expect(scan({ [path]: COMMENTED })).toEqual([[path, 1, 'registry.example.test/base/runtime:2.4']]);
    });
  }

  it('a file without extension named for Docker is read by its content, comment lines inside a continued instruction and all', () => {
    expect(scan({ 'files/DockerWebApache': COMMENTED, 'files/docker-entrypoint': '#!/bin/sh\nexec "$@"\n' })).toEqual([['files/DockerWebApache', 1, 'registry.example.test/base/runtime:2.4']]);
  });

  it('templates and documentation named for a Dockerfile are not read', () => {
    expect(scan({ 'Dockerfile_base.j2': COMMENTED, 'Dockerfile-alpine.template': COMMENTED, 'docs/Dockerfile.md': COMMENTED })).toEqual([]);
  });

  it('a dotted suffix that is a script or data file extension is read only when the content is a Dockerfile', () => {
    const snippet = ['docker build -t registry.example.test/team/app:dev .', '', '    FROM registry.example.test/base/runtime:2.4', '    RUN ./setup.sh', ''].join('\n');
    const source = ['package dockerfile', '', 'const header = `', 'FROM registry.example.test/base/runtime:2.4', '`', ''].join('\n');
    expect(
      scan({
        'notes/dockerfile.sh': snippet,
        'frontend/dockerfile/dockerfile.go': source,
        'services/worker/Dockerfile.go': COMMENTED,
      }),
    ).toEqual([['services/worker/Dockerfile.go', 1, 'registry.example.test/base/runtime:2.4']]);
  });

  it('a Dockerfile known by its content may hold here-documents, whose lines are a script and not instructions', () => {
    const heredocs = [
      'FROM registry.example.test/base/runtime:2.4',
      'RUN <<EOF',
      'set -eu',
      './setup.sh --quiet',
      'EOF',
      'COPY <<-"CONF" <<LIMITS /etc/app/',
      '\tlisten 8080',
      '\tCONF',
      'nofile 4096',
      'LIMITS',
      'RUN cat <<< "ready"',
      'FROM registry.example.test/base/slim:2.4',
      '',
    ].join('\n');
    expect(scan({ 'build/Dockerfile.go': heredocs, 'files/DockerWorker': heredocs, 'files/docker-notes': 'FROM registry.example.test/base/runtime:2.4\nRUN <<EOF\nEOF\nthen run it\n' })).toEqual([
      ['build/Dockerfile.go', 1, 'registry.example.test/base/runtime:2.4'],
      ['build/Dockerfile.go', 12, 'registry.example.test/base/slim:2.4'],
      ['files/DockerWorker', 1, 'registry.example.test/base/runtime:2.4'],
      ['files/DockerWorker', 12, 'registry.example.test/base/slim:2.4'],
    ]);
  });

  it('a change file of a Markdown page named for a Dockerfile is documentation and is not read', () => {
    const change = [
      '% change file for the page on Dockerfiles',
      '',
      '@x',
      '```python',
      'from flask import Flask',
      '@y',
      '```python',
      'from flask import Flask',
      '@z',
      '',
      '@x',
      '```dockerfile',
      'FROM registry.example.test/base/runtime:2.4',
      '@y',
      '```dockerfile',
      'FROM registry.example.test/base/runtime:2.4',
      '@z',
      '',
    ].join('\n');
    expect(scan({ 'content/build/dockerfile.md.ch': change, 'content/build/Dockerfile.prod': COMMENTED })).toEqual([['content/build/Dockerfile.prod', 1, 'registry.example.test/base/runtime:2.4']]);
  });

  it('MDX pages named for a Dockerfile or a Jenkinsfile are documentation and are not read, by name or by content', () => {
    const pipeline = "pipeline { agent { docker { image 'registry.example.test/ci/builder:3.1' } } }\n";
    expect(
      scan({
        'docs/Dockerfile.mdx': COMMENTED,
        'docs/Dockerfile-usage.mdx': COMMENTED,
        'docs/Containerfile_notes.mdx': COMMENTED,
        'docs/Jenkinsfile.mdx': pipeline,
        'docs/Jenkinsfile.markdown': pipeline,
        Jenkinsfile: pipeline,
      }),
    ).toEqual([['Jenkinsfile', 1, 'registry.example.test/ci/builder:3.1']]);
  });
});

import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { localGraph } from '../../src/cli/graph.js';
import { graphJson, renderGraph } from '../../src/chain/render-graph.js';
import { REGISTRY, THREE_LEVELS, writeCheckouts } from './graph-fixture.js';

const CONFIG = { chain: { registry: REGISTRY } };

async function cli(argv: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: {}, cwd, now: () => 0, interactive: false });
  return { code, stdout, stderr };
}

describe('archpin graph on local checkouts', () => {
  it('orders a three-level chain with a sibling, edges from FROM (ARGs resolved, stages left out), --platform and COPY --from', () => {
    const graph = localGraph(writeCheckouts(THREE_LEVELS), CONFIG);
    expect(graph.order).toEqual(['acme/base', 'acme/tools', 'acme/ruby', 'acme/worker', 'acme/app']);
    expect(graph.edges.map((edge) => [edge.parent, edge.child, edge.via.map((via) => via.kind).join(',')])).toEqual([
      ['acme/base', 'acme/ruby', 'from'],
      ['acme/base', 'acme/worker', 'from'],
      ['acme/ruby', 'acme/app', 'from'],
      ['acme/tools', 'acme/app', 'copy-from'],
    ]);
    const ruby = graph.edges.find((edge) => edge.child === 'acme/ruby')!;
    expect(ruby.via).toEqual([{ kind: 'from', file: 'Dockerfile', line: 3, image: 'registry.example.com/acme/base:1' }]);
    const worker = graph.edges.find((edge) => edge.child === 'acme/worker')!;
    expect(worker.via).toEqual([{ kind: 'from', file: 'Containerfile', line: 1, image: 'registry.example.com/acme/base:1', platform: 'linux/arm64' }]);
    expect(graph.nodes.map((node) => [node.path, node.level, node.publishes.map((p) => p.value)])).toEqual([
      ['acme/app', 2, ['registry.example.com/acme/app:latest']],
      ['acme/base', 0, ['registry.example.com/acme/base:1']],
      ['acme/ruby', 1, ['registry.example.com/acme/ruby:3.3']],
      ['acme/tools', 0, ['registry.example.com/acme/tools:1']],
      ['acme/worker', 1, ['registry.example.com/acme/worker:1']],
    ]);
    expect(graph.cycles).toEqual([]);
    expect(graph.problems).toEqual([]);
  });

  it('lets .gitlab-deps replace the FROM edges, and reports upstream projects it does not know', () => {
    const graph = localGraph(
      writeCheckouts({
        ...THREE_LEVELS,
        'acme/app': { ...THREE_LEVELS['acme/app'], '.gitlab-deps': '# built on\nacme/worker\n\nhttps://gitlab.example.com/acme/base.git\nother/missing\n' },
      }),
      CONFIG,
    );
    expect(graph.edges.filter((edge) => edge.child === 'acme/app')).toEqual([
      { parent: 'acme/base', child: 'acme/app', via: [{ kind: 'gitlab-deps', file: '.gitlab-deps', line: 4 }] },
      { parent: 'acme/worker', child: 'acme/app', via: [{ kind: 'gitlab-deps', file: '.gitlab-deps', line: 2 }] },
    ]);
    expect(graph.order).toEqual(['acme/base', 'acme/tools', 'acme/ruby', 'acme/worker', 'acme/app']);
    expect(graph.problems).toEqual([
      { project: 'acme/app', file: '.gitlab-deps', line: 5, code: 'unknown-upstream', message: '.gitlab-deps:5: upstream project other/missing is not among the projects; no edge' },
    ]);
  });

  it('takes a .gitlab-deps that names no project (empty, or comments only) as absent, and chain.upstream: [] as an explicit empty list', () => {
    const graph = localGraph(
      writeCheckouts({
        ...THREE_LEVELS,
        'acme/ruby': { ...THREE_LEVELS['acme/ruby'], '.gitlab-deps': '' },
        'acme/app': { ...THREE_LEVELS['acme/app'], '.gitlab-deps': '# upstream projects, one per line\n\n' },
        'acme/worker': { ...THREE_LEVELS['acme/worker'], 'archpin.json': JSON.stringify({ chain: { upstream: [] } }) },
      }),
      CONFIG,
    );
    expect(graph.edges.map((edge) => [edge.parent, edge.child, edge.via.map((via) => via.kind).join(',')])).toEqual([
      ['acme/base', 'acme/ruby', 'from'],
      ['acme/ruby', 'acme/app', 'from'],
      ['acme/tools', 'acme/app', 'copy-from'],
    ]);
    expect(graph.nodes.find((node) => node.path === 'acme/worker')!.parents).toEqual([]);
    expect(graph.problems).toEqual([]);
  });

  it('orders a diamond once, children after every parent', () => {
    const graph = localGraph(
      writeCheckouts({
        'g/base': { Dockerfile: 'FROM alpine:3.20\n', 'archpin.json': JSON.stringify({ chain: { publishes: ['registry.example.com/g/base:1'] } }) },
        'g/left': { Dockerfile: 'FROM registry.example.com/g/base:1\n', 'archpin.json': JSON.stringify({ chain: { publishes: ['registry.example.com/g/left:1'] } }) },
        'g/right': { Dockerfile: 'FROM registry.example.com/g/base:1@sha256:' + 'a'.repeat(64) + '\n', 'archpin.json': JSON.stringify({ chain: { publishes: ['registry.example.com/g/right:1'] } }) },
        'g/app': { Dockerfile: 'FROM registry.example.com/g/left:1 AS l\nFROM registry.example.com/g/right:1\nCOPY --from=l /x /x\n' },
      }),
      {},
    );
    expect(graph.order).toEqual(['g/base', 'g/left', 'g/right', 'g/app']);
    expect(graph.nodes.find((node) => node.path === 'g/app')!.parents).toEqual(['g/left', 'g/right']);
    expect(graph.nodes.find((node) => node.path === 'g/app')!.level).toBe(2);
  });

  it('reports a cycle and leaves it and what builds on it out of the order, without looping', () => {
    const graph = localGraph(
      writeCheckouts({
        'c/a': { Dockerfile: 'FROM registry.example.com/c/b:1\n', '.gitlab-ci.yml': 'b:\n  script: docker push $CI_REGISTRY_IMAGE:1\n' },
        'c/b': { Dockerfile: 'FROM registry.example.com/c/a:1\n', '.gitlab-ci.yml': 'b:\n  script: docker push $CI_REGISTRY_IMAGE:1\n' },
        'c/down': { Dockerfile: 'FROM registry.example.com/c/a:1\n' },
        'c/free': { Dockerfile: 'FROM alpine:3\n' },
      }),
      CONFIG,
    );
    expect(graph.cycles).toEqual([['c/a', 'c/b']]);
    expect(graph.blocked).toEqual(['c/down']);
    expect(graph.order).toEqual(['c/free']);
    expect(graph.problems.map((problem) => problem.message)).toEqual(['cycle: c/a → c/b → c/a; these projects and those built on them get no build order']);
  });

  it('without any publication, names an image after the project whose registry path it is under', () => {
    const graph = localGraph(
      writeCheckouts({
        'conv/base': { Dockerfile: 'FROM alpine:3.20\n' },
        'conv/base-extra': { Dockerfile: 'FROM alpine:3.20\n' },
        'conv/app': { Dockerfile: 'FROM registry.example.com/conv/base/slim:1 AS build\nFROM registry.example.com/conv/base-extra:2\n' },
      }),
      {},
    );
    expect(graph.edges.map((edge) => [edge.parent, edge.child, edge.via.map((via) => via.image)])).toEqual([
      ['conv/base', 'conv/app', ['registry.example.com/conv/base/slim:1']],
      ['conv/base-extra', 'conv/app', ['registry.example.com/conv/base-extra:2']],
    ]);
    expect(graph.order).toEqual(['conv/base', 'conv/base-extra', 'conv/app']);
  });

  it('matches $CI_REGISTRY_IMAGE on any registry when chain.registry is not set', () => {
    const graph = localGraph(writeCheckouts(THREE_LEVELS), {});
    expect(graph.order).toEqual(['acme/base', 'acme/tools', 'acme/ruby', 'acme/worker', 'acme/app']);
    expect(graph.nodes[1]!.publishes[0]!.image).toBe('*/acme/base');
  });

  it('prints json, text, dot and mermaid from the command line', async () => {
    const written = writeCheckouts(THREE_LEVELS);
    const fromCli = await cli(['graph', '.', '--format', 'json'], written);
    expect(fromCli.code).toBe(0);
    const parsed = JSON.parse(fromCli.stdout) as { version: number; order: string[] };
    expect(parsed.version).toBe(1);
    expect(parsed.order).toEqual(['acme/base', 'acme/tools', 'acme/ruby', 'acme/worker', 'acme/app']);
    const graph = localGraph(written, CONFIG);
    expect(graphJson(graph)).toMatchObject({ version: 1, order: graph.order, cycles: [] });
    expect(renderGraph(graph, 'dot')).toContain('"acme/ruby" -> "acme/app" [label="FROM"];');
    expect(renderGraph(graph, 'mermaid').split('\n').slice(0, 2)).toEqual(['graph TD', '  n0["acme/app"]']);
    expect(renderGraph(graph, 'mermaid')).toContain('  n3 -->|COPY --from| n0');
    const text = await cli(['graph', written, '--format', 'mermaid'], written);
    expect(text.stdout).toBe(renderGraph(localGraph(written, {}), 'mermaid'));
    const bad = await cli(['scan', written, '--format', 'dot'], written);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format must be text or json, not "dot"');
  });
});

import { describe, expect, it } from 'vitest';
import { isolatedFactsReader } from '../../src/bot/isolated-scanner.js';
import { DEFAULT_MAX_FILE_SIZE, MAX_YAML_NODES } from '../../src/core/budgets.js';
import { localGraph } from '../../src/cli/graph.js';
import { writeCheckouts } from '../chain/graph-fixture.js';

const CONFIG = { chain: { registry: 'registry.example.com' } };
const nested = (name: string, times: number) => `"${`\${${name}}`.repeat(times)}"`;
const problemsOf = (root: string) => localGraph(root, CONFIG).problems.map(({ project, file, line, code, message }) => ({ project, file, line, code, message }));

describe('image chains: one project cannot hurt the graph of the others', () => {
  it('CI variables that nest each other 200 times over, four deep, stop expanding (the name stays unresolved) instead of building a 6 GB string', () => {
    const ci = `variables:\n  A: ${nested('B', 200)}\n  B: ${nested('C', 200)}\n  C: ${nested('D', 200)}\n  D: ${nested('E', 200)}\n  E: registry.example.com/x\nbuild:\n  script:\n    - docker push $A:1\n`;
    const root = writeCheckouts({ 'acme/bomb': { '.gitlab-ci.yml': ci }, 'acme/app': { Dockerfile: 'FROM registry.example.com/acme/base:1\n' } });
    expect(problemsOf(root)).toEqual([{ project: 'acme/bomb', file: '.gitlab-ci.yml', line: 9, code: 'unresolved-publish', message: '$A:1: the pushed image name cannot be resolved' }]);
  });

  it('a CI file over the YAML node budget and a Dockerfile over the size cap are reported, not parsed; the other projects keep their edges', () => {
    const jobs = Array.from({ length: 70_000 }, (_, i) => `j${i}:\n  script: [a, b]\n`).join('');
    const root = writeCheckouts({
      'acme/base': { Dockerfile: 'FROM alpine:3.20\n', '.gitlab-ci.yml': `build:\n  script: docker push $CI_REGISTRY_IMAGE:1\n${jobs}` },
      'acme/huge': { Dockerfile: `FROM registry.example.com/acme/base:1\n${'# padding\n'.repeat(900_000)}` },
      'acme/app': { Dockerfile: 'FROM registry.example.com/acme/app-base:1\n' },
    });
    const graph = localGraph(root, CONFIG);
    expect(graph.problems.map(({ project, file, code }) => [project, file, code])).toEqual([
      ['acme/base', '.gitlab-ci.yml', 'yaml-too-complex'],
      ['acme/huge', 'Dockerfile', 'file-too-large'],
    ]);
    expect(graph.problems[0]!.message).toMatch(new RegExp(`^\\.gitlab-ci\\.yml: about \\d+ YAML nodes, over the budget of ${MAX_YAML_NODES} per file; not parsed$`));
    expect(graph.problems[1]!.message).toBe(`Dockerfile: 9000038 bytes is over the ${DEFAULT_MAX_FILE_SIZE}-byte limit (chain files); not read`);
  });

  it("in serve, a project whose chain files exhaust the worker's memory is left out with a reason, and the next project is read by a new worker", async () => {
    // just under the node budget: parsing it takes a few hundred MB, over a 48 MB ceiling
    const heavy = Array.from(
      { length: 7000 },
      (_, i) => `svc${i}:\n  image: {repository: 127.0.0.1:9/acme/s-${i}, tag: "1.${i % 20}"}\n  script: [docker push $CI_REGISTRY_IMAGE/s${i}:1]\n  env: [a, b, c, d, e, f]\n`,
    ).join('');
    const reader = isolatedFactsReader({ memoryMb: 48, timeMs: 60_000 });
    try {
      const over = await reader({ path: 'acme/hostile', files: [{ path: '.gitlab-ci.yml', bytes: Buffer.from(heavy) }] }, 'registry.example.com');
      expect(over).toEqual({
        path: 'acme/hostile',
        id: null,
        defaultBranch: null,
        uses: [],
        publishes: [],
        upstream: null,
        problems: [
          {
            project: 'acme/hostile',
            file: null,
            line: null,
            code: 'project-over-budget',
            message: 'reading the chain files used more than the 48 MB memory ceiling; the project is left out of the graph',
          },
        ],
      });
      const good = await reader({ path: 'acme/app', files: [{ path: 'Dockerfile', bytes: Buffer.from('FROM registry.example.com/acme/base:1\n') }] }, 'registry.example.com');
      expect(good.uses.map((use) => [use.kind, use.image, use.tag])).toEqual([['from', 'registry.example.com/acme/base', '1']]);
      expect(good.problems).toEqual([]);
    } finally {
      reader.close();
    }
  }, 60_000);
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileChainStore } from '../../src/bot/chain-store.js';
import { buildGraph } from '../../src/chain/build-graph.js';
import { ChainState, type ChainSnapshot, type ParentBuild } from '../../src/chain/chain-state.js';
import { chainProject as project } from '../support/chain-facts.js';

const T0 = Date.parse('2026-12-01T03:00:00Z');
const build = (path: string, digest: string): ParentBuild => ({
  project: path,
  images: [`registry.example.com/${path}:1@sha256:${digest.repeat(64)}`],
  digestKey: `sha256:${digest.repeat(64)}`,
  pipeline: { id: 7, url: `https://gitlab.example.com/${path}/-/pipelines/7` },
});

/** A state with something in every part: due, running, failed and stopped children, a trigger taken and not answered, the log, the digests built. */
function busyState(): ChainSnapshot {
  const graph = buildGraph([
    project('acme/base'),
    project('acme/app-a', ['acme/base']),
    project('acme/app-b', ['acme/base']),
    project('acme/app-c', ['acme/base']),
    project('acme/lib'),
    project('acme/tool', ['acme/lib']),
  ]);
  const state = new ChainState(graph, { debounceMs: 1_000, concurrency: 2 });
  state.recordBuilt(build('acme/base', 'a'), 'main', T0);
  state.parentPassed(build('acme/base', 'a'), T0);
  const [first, second] = state.takeReady(T0 + 1_000, { owner: 'replica-1', ms: 60_000 });
  state.triggered(first!, { id: 11, url: 'https://gitlab.example.com/acme/app-a/-/pipelines/11' }, T0 + 1_001, false);
  state.triggered(second!, null, T0 + 1_002, false, 'http-500: trigger refused');
  state.pipelineFailed('acme/app-a', { id: 11, url: 'https://gitlab.example.com/acme/app-a/-/pipelines/11' }, 'failed', T0 + 2_000);
  state.parentPassed(build('acme/lib', 'b'), T0 + 3_000);
  // Taken, its answer not recorded yet.
  state.takeReady(T0 + 4_000, { owner: 'replica-2', ms: 60_000 });
  // Due again, inside its window.
  state.parentPassed(build('acme/base', 'c'), T0 + 5_000);
  return state.snapshot();
}

const stored = async (directory: string): Promise<ChainSnapshot | null> => fileChainStore(directory).update(async (snapshot) => ({ snapshot: snapshot ?? busyState(), result: snapshot }));

describe('the chain state serve stores', () => {
  const directories: string[] = [];
  const scratch = () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'archpin-chain-store-'));
    directories.push(directory);
    return directory;
  };
  afterEach(() => {
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });

  it('reads back every part of a state it wrote', async () => {
    const directory = scratch();
    const written = busyState();
    // due, taken and unanswered, trigger log, parent digests done, digests built
    expect([written.due.length, written.starting?.length, written.log.length, written.done.length, written.builtBy?.length]).toEqual([3, 2, 2, 4, 1]);
    expect(written.status.filter(([, status]) => status.stopped !== null || status.running !== null).length).toBeGreaterThan(0);
    await fileChainStore(directory).update(async () => ({ snapshot: written, result: undefined }));
    expect(await stored(directory)).toEqual(JSON.parse(JSON.stringify(written)));
  });

  it.each([
    ['not JSON', '{"version": 1, "due": ['],
    ['another version', JSON.stringify({ ...busyState(), version: 2 })],
    [
      'a running pipeline with a link that is not http',
      JSON.stringify({ ...busyState(), status: [['acme/app-a', { lastBuild: null, stopped: null, running: { id: 3, url: 'javascript:alert(1)' }, runningIsOurs: true, starting: false }]] }),
    ],
    ['a due child without its parents', JSON.stringify({ ...busyState(), due: [{ project: 'acme/app-c', updatedAt: T0 }] })],
    [
      'a stop reason of no known kind',
      JSON.stringify({ ...busyState(), status: [['acme/app-a', { lastBuild: null, stopped: { code: 'whatever', message: 'x', at: T0 }, running: null, runningIsOurs: false, starting: false }]] }),
    ],
  ])('starts from an empty state when the stored one is %s', async (_what, text) => {
    const directory = scratch();
    writeFileSync(path.join(directory, 'chain-state.json'), text);
    expect(await stored(directory)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../src/chain/build-graph.js';
import { ChainState, type ParentBuild } from '../../src/chain/chain-state.js';
import { chainProject as project } from '../support/chain-facts.js';

const build = (path: string, digest: string): ParentBuild => ({
  project: path,
  images: [`registry.example.com/${path}:1@sha256:${digest.repeat(64)}`],
  digestKey: `sha256:${digest.repeat(64)}`,
  pipeline: null,
});
const T0 = Date.parse('2026-12-01T03:00:00Z');
const DEBOUNCE = 30_000;

/** One base with six apps in group `acme`, and in group `tools` a base with two apps. */
function twoGroups(concurrency: number): ChainState {
  const apps = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => project(`acme/app-${name}`, ['acme/base']));
  const graph = buildGraph([project('acme/base'), ...apps, project('tools/base'), project('tools/cli', ['tools/base']), project('tools/lint', ['tools/base'])]);
  return new ChainState(graph, { debounceMs: DEBOUNCE, concurrency });
}

const take = (state: ChainState, now: number) => {
  const taken = state.takeReady(now);
  let id = 100;
  for (const due of taken) state.triggered(due, { id: ++id, url: `https://gitlab.example.com/${due.project}/-/pipelines/${id}` }, now, false);
  return taken.map((due) => due.project);
};

describe('chain state: debounce and the per-group budget', () => {
  it('keeps due children until the debounce window has passed since the last parent arrived', () => {
    const state = twoGroups(10);
    expect(state.parentPassed(build('acme/base', 'a'), T0)).toEqual(['acme/app-a', 'acme/app-b', 'acme/app-c', 'acme/app-d', 'acme/app-e', 'acme/app-f']);
    expect(take(state, T0 + DEBOUNCE - 1)).toEqual([]);
    expect(state.waitingFor('acme/app-a', T0 + DEBOUNCE - 1)).toBe('debounce');
    expect(take(state, T0 + DEBOUNCE)).toEqual(['acme/app-a', 'acme/app-b', 'acme/app-c', 'acme/app-d', 'acme/app-e', 'acme/app-f']);
  });

  it('keeps at most `concurrency` triggered pipelines in flight per top-level group, and starts the next as one finishes', () => {
    const state = twoGroups(2);
    state.parentPassed(build('acme/base', 'a'), T0);
    state.parentPassed(build('tools/base', 'b'), T0);
    const now = T0 + DEBOUNCE;
    // Two of acme and two of tools: each group has its own budget.
    expect(take(state, now)).toEqual(['acme/app-a', 'acme/app-b', 'tools/cli', 'tools/lint']);
    expect([state.inFlight('acme'), state.inFlight('tools')]).toEqual([2, 2]);
    expect(take(state, now + 1)).toEqual([]);
    expect(state.waitingFor('acme/app-c', now + 1)).toBeNull();
    expect(state.due.size).toBe(4);
    // A success and a failure each free one place, in order of level then path.
    state.pipelineSucceeded('acme/app-a', state.of('acme/app-a').running!);
    expect(take(state, now + 2)).toEqual(['acme/app-c']);
    state.pipelineFailed('acme/app-b', state.of('acme/app-b').running!, 'failed', now + 3);
    state.pipelineFailed('acme/app-c', state.of('acme/app-c').running!, 'canceled', now + 3);
    expect(take(state, now + 4)).toEqual(['acme/app-d', 'acme/app-e']);
    expect(state.inFlight('acme')).toBe(2);
    state.pipelineSucceeded('acme/app-d', state.of('acme/app-d').running!);
    expect(take(state, now + 5)).toEqual(['acme/app-f']);
    expect(state.due.size).toBe(0);
    expect(state.log.map((record) => record.project)).toEqual(['acme/app-a', 'acme/app-b', 'tools/cli', 'tools/lint', 'acme/app-c', 'acme/app-d', 'acme/app-e', 'acme/app-f']);
  });

  it('does not count pipelines it did not trigger against the budget, and does not trigger a child that is running anyway', () => {
    const state = twoGroups(1);
    // Someone pushed to app-a: its pipeline runs, not archpin's.
    state.pipelineRunning('acme/app-a', { id: 1, url: 'https://gitlab.example.com/acme/app-a/-/pipelines/1' });
    state.parentPassed(build('acme/base', 'a'), T0);
    expect(state.inFlight('acme')).toBe(0);
    expect(take(state, T0 + DEBOUNCE)).toEqual(['acme/app-b']);
    expect(state.due.has('acme/app-a')).toBe(true);
    state.pipelineSucceeded('acme/app-b', state.of('acme/app-b').running!);
    state.pipelineSucceeded('acme/app-a', { id: 1, url: 'https://gitlab.example.com/acme/app-a/-/pipelines/1' });
    expect(take(state, T0 + DEBOUNCE + 1)).toEqual(['acme/app-a']);
  });

  it('triggers each child once per parent digest: the same digest again is not due, a new one is', () => {
    const state = twoGroups(10);
    state.parentPassed(build('tools/base', 'b'), T0);
    expect(take(state, T0 + DEBOUNCE)).toEqual(['tools/cli', 'tools/lint']);
    for (const path of ['tools/cli', 'tools/lint']) state.pipelineSucceeded(path, state.of(path).running!);
    expect(state.parentPassed(build('tools/base', 'b'), T0 + DEBOUNCE + 1)).toEqual([]);
    expect(state.parentPassed(build('tools/base', 'c'), T0 + DEBOUNCE + 2)).toEqual(['tools/cli', 'tools/lint']);
  });

  it('holds a taken child under a lease: not taken again or reclaimed before it runs out, then due again (or adopted) for the same parents', () => {
    const state = twoGroups(1);
    const lease = { owner: 'replica-1', ms: 60_000 };
    state.parentPassed(build('tools/base', 'b'), T0);
    const now = T0 + DEBOUNCE;
    const [cli] = state.takeReady(now, lease);
    expect(cli?.mark).toBe(`replica-1:${now}:tools/cli`);
    expect([...state.starting.values()]).toEqual([
      { project: 'tools/cli', parents: [build('tools/base', 'b')], updatedAt: T0, owner: 'replica-1', mark: `replica-1:${now}:tools/cli`, since: now, until: now + 60_000 },
    ]);
    // The replica that took it is gone: its mark counts against the budget until the lease runs out.
    const restored = twoGroups(1);
    restored.restore(JSON.parse(JSON.stringify(state.snapshot())));
    expect(restored.inFlight('tools')).toBe(1);
    expect(restored.expiredStarts(now + 59_999)).toEqual([]);
    expect(restored.takeReady(now + 59_999, { owner: 'replica-2', ms: 60_000 })).toEqual([]);
    const [expired] = restored.expiredStarts(now + 60_000);
    expect(expired?.mark).toBe(`replica-1:${now}:tools/cli`);
    restored.requeueStarted(expired!);
    expect(restored.starting.size).toBe(0);
    expect(restored.inFlight('tools')).toBe(0);
    // Due again for the same parent digest, and taken by the replica that is left (lint waits for the budget).
    expect(restored.takeReady(now + 60_000, { owner: 'replica-2', ms: 60_000 }).map((due) => [due.project, due.mark, [...due.parents.keys()]])).toEqual([
      ['tools/cli', `replica-2:${now + 60_000}:tools/cli`, ['tools/base']],
    ]);
    // A mark whose pipeline GitLab shows is adopted as archpin's running pipeline.
    const [again] = restored.expiredStarts(now + 120_000);
    restored.adoptStarted(again!, { id: 42, url: 'https://gitlab.example.com/tools/cli/-/pipelines/42' }, now + 120_000);
    expect(restored.of('tools/cli')).toMatchObject({ running: { id: 42 }, runningIsOurs: true, starting: false });
    expect(restored.inFlight('tools')).toBe(1);
    expect(restored.log.map((record) => [record.project, record.pipeline?.id])).toEqual([['tools/cli', 42]]);
    expect(restored.parentPassed(build('tools/base', 'b'), now + 120_001)).toEqual(['tools/lint']);
  });
});

/**
 * The scaffolding the CLI, bot and hostile tests share: a work directory for repository trees and
 * caches, the real registry (seeded with the incident when asked) with an optional fault proxy in
 * front, a redirect target, the GitLab double (with an optional fault proxy in front), the GitHub
 * double and a redis-server. `useScenario` starts what a file
 * asks for before its tests and stops it after them.
 *
 *   const scenario = useScenario({ name: 'check-cases', seed: true, proxy: {} });
 *   it('…', async () => {
 *     const dir = scenario.tree({ 'pod.yaml': … });
 *     await runArchpin(['check', dir, '--cache-dir', scenario.path('cache')]);
 *   });
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startGithubDouble, type GithubDouble, type GithubDoubleOptions } from './github-double.js';
import { startGitlabDouble, type GitlabDouble, type GitlabDoubleOptions } from './gitlab-double.js';
import { startProxy, startRedirectTarget, type RedirectTarget, type TestProxy } from './proxy.js';
import { startRedis, type TestRedis } from './redis.js';
import { startRegistry, type TestRegistry } from './registry.js';
import { seedIncident, type IncidentSeed } from './seed.js';

export interface ScenarioOptions {
  /** Names the work directory (`archpin-<name>-…` under the system's temp directory). */
  readonly name: string;
  /** Start the registry (default true). */
  readonly registry?: boolean;
  /** Push the incident's images (docker 27.0.3 … 27.2.0-dind) to the registry. */
  readonly seed?: boolean;
  /** A fault-injecting proxy in front of the registry, with these options; `host` is then the proxy's. */
  readonly proxy?: Omit<Parameters<typeof startProxy>[0], 'target'>;
  /** A second origin that registries redirect blob and manifest downloads to. */
  readonly redirect?: boolean;
  readonly gitlab?: GitlabDoubleOptions;
  /** A fault-injecting proxy in front of the GitLab double (give the client its `url` to delay or fail forge calls). */
  readonly gitlabProxy?: boolean;
  readonly github?: GithubDoubleOptions;
  /** A real redis-server (BullMQ, shared state). */
  readonly redis?: boolean;
}

export interface Scenario {
  readonly work: string;
  readonly registry: TestRegistry;
  readonly seed: IncidentSeed;
  readonly proxy: TestProxy;
  readonly redirect: RedirectTarget;
  readonly gitlab: GitlabDouble;
  readonly gitlabProxy: TestProxy;
  readonly github: GithubDouble;
  readonly redis: TestRedis;
  /** The registry host the images are named with: the proxy's when there is one. */
  readonly host: string;
  /** A path in the work directory. */
  path(...parts: string[]): string;
  /** Writes a repository tree (`relative path → text`) into a new directory of the work directory and returns it. */
  tree(files: Readonly<Record<string, string>>, name?: string): string;
  stop(): Promise<void>;
}

/** Writes `files` (`relative path → text`) under `dir`, making the folders they need. */
export function writeTree(dir: string, files: Readonly<Record<string, string>>): string {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function startScenario(options: ScenarioOptions): Promise<Scenario> {
  const work = mkdtempSync(path.join(os.tmpdir(), `archpin-${options.name}-`));
  const parts: Partial<Record<'registry' | 'seed' | 'proxy' | 'redirect' | 'gitlab' | 'gitlabProxy' | 'github' | 'redis', unknown>> = {};
  const stops: Array<() => Promise<void>> = [];
  const started = <T extends { stop(): Promise<void> }>(key: keyof typeof parts, value: T): T => {
    parts[key] = value;
    stops.unshift(() => value.stop());
    return value;
  };
  let trees = 0;
  const scenario: Scenario = {
    work,
    get registry() {
      return part<TestRegistry>('registry');
    },
    get seed() {
      return part<IncidentSeed>('seed');
    },
    get proxy() {
      return part<TestProxy>('proxy');
    },
    get redirect() {
      return part<RedirectTarget>('redirect');
    },
    get gitlab() {
      return part<GitlabDouble>('gitlab');
    },
    get gitlabProxy() {
      return part<TestProxy>('gitlabProxy');
    },
    get github() {
      return part<GithubDouble>('github');
    },
    get redis() {
      return part<TestRedis>('redis');
    },
    get host() {
      return parts.proxy ? scenario.proxy.host : scenario.registry.host;
    },
    path: (...names) => path.join(work, ...names),
    tree: (files, name) => writeTree(path.join(work, name ?? `repo-${++trees}`), files),
    async stop() {
      for (const stop of stops.splice(0)) await stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- each caller names the part's type
  function part<T>(key: keyof typeof parts): T {
    if (parts[key] === undefined) throw new Error(`the scenario "${options.name}" was started without ${key}`);
    return parts[key] as T;
  }
  try {
    if (options.registry !== false) {
      const registry = started('registry', await startRegistry());
      if (options.seed) parts.seed = await seedIncident(registry);
      if (options.proxy) started('proxy', await startProxy({ target: registry.url, ...options.proxy }));
    }
    if (options.redirect) started('redirect', await startRedirectTarget());
    if (options.gitlab || options.gitlabProxy) {
      const gitlab = started('gitlab', await startGitlabDouble(options.gitlab));
      if (options.gitlabProxy) started('gitlabProxy', await startProxy({ target: gitlab.url }));
    }
    if (options.github) started('github', await startGithubDouble(options.github));
    if (options.redis) started('redis', await startRedis());
  } catch (error) {
    await scenario.stop();
    throw error;
  }
  return scenario;
}

/** Starts the scenario before the file's tests (or the describe block's) and stops it after them. */
export function useScenario(options: ScenarioOptions): Scenario {
  let current: Scenario | undefined;
  beforeAll(async () => {
    current = await startScenario(options);
  }, 120_000);
  afterAll(async () => {
    await current?.stop();
  });
  const now = (): Scenario => {
    if (!current) throw new Error(`the scenario "${options.name}" starts in beforeAll`);
    return current;
  };
  return {
    get work() {
      return now().work;
    },
    get registry() {
      return now().registry;
    },
    get seed() {
      return now().seed;
    },
    get proxy() {
      return now().proxy;
    },
    get redirect() {
      return now().redirect;
    },
    get gitlab() {
      return now().gitlab;
    },
    get gitlabProxy() {
      return now().gitlabProxy;
    },
    get github() {
      return now().github;
    },
    get redis() {
      return now().redis;
    },
    get host() {
      return now().host;
    },
    path: (...names) => now().path(...names),
    tree: (files, name) => now().tree(files, name),
    stop: () => now().stop(),
  };
}

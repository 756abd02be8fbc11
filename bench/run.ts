// Cost of the distributed bot (archpin serve on Redis, BullMQ) sweeping a GitLab group: one
// scheduler process and W worker processes (`archpin serve --role scheduler|worker`) on a real
// redis-server, against the GitLab double (with a per-request latency) and the real registry
// behind a counting proxy. Measures a first sweep (every project gets its MRs) and a no-op sweep
// (nothing new): wall time, GitLab API calls per project, registry requests per distinct image,
// the peak RSS and the CPU time of each worker. The last line printed is one JSON object.
//
// With `--mode run`, the same group is swept by the scheduled CI job instead: W shard processes of
// `archpin run --shard I/W` at once (a GitLab `parallel: W` job), each with its own cache directory
// kept between the two runs, as a CI cache would keep it.
//
// Usage: npm run bench:run -- --projects N --workers W [--mode serve|run] [--latency-ms L] [--concurrency C] [--cpu-prof DIR]
// (needs docker-registry and redis-server: scripts/ensure-registry.mjs installs them)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { startGitlabDouble, GITLAB_TEST_TOKEN, type GitlabDouble } from '../test/support/gitlab-double.js';
import { startProxy } from '../test/support/proxy.js';
import { startRedis } from '../test/support/redis.js';
import { startRegistry, type RegistryTarget } from '../test/support/registry.js';
import { pushImage, pushIndex, seedIncident, type IncidentSeed } from '../test/support/seed.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const TEAMS = ['payments', 'search', 'identity', 'platform/ci', 'platform/edge', 'data/pipelines', 'data/warehouse', 'web'] as const;
const PLATFORMS = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
] as const;

/** Image repository → tags, oldest first; every tag a complete two-platform index unless listed in INCOMPLETE. */
const IMAGES: Readonly<Record<string, readonly string[]>> = {
  'lang/python': ['3.12.3', '3.12.4'],
  'base/alpine': ['3.19.1', '3.20.0'],
  'web/nginx': ['1.26.0', '1.26.1'],
  'data/postgres': ['16.2', '16.3'],
  'tools/kubectl': ['1.30.1', '1.30.2', '1.30.3'],
};
/** Tags published for amd64 only: the gate holds them (platform regression). */
const INCOMPLETE: ReadonlySet<string> = new Set(['tools/kubectl:1.30.3']);

type Digests = Map<string, string>; // `repository:tag` → index digest

async function pushTag(target: RegistryTarget, repository: string, tag: string, created: string): Promise<string> {
  const platforms = INCOMPLETE.has(`${repository}:${tag}`) ? PLATFORMS.slice(0, 1) : PLATFORMS;
  const images = await Promise.all(platforms.map((platform) => pushImage(target, repository, { ...platform, mediaType: 'oci', created, label: `${repository}:${tag}` })));
  return (await pushIndex(target, repository, tag, images, { mediaType: 'oci', attestations: true })).digest;
}

async function seedImages(target: RegistryTarget): Promise<Digests> {
  const digests: Digests = new Map();
  for (const [repository, tags] of Object.entries(IMAGES)) {
    for (const [i, tag] of tags.entries()) digests.set(`${repository}:${tag}`, await pushTag(target, repository, tag, `2024-0${i + 3}-11T08:00:00Z`));
  }
  return digests;
}

interface Images {
  readonly host: string;
  readonly digests: Digests;
  readonly incident: IncidentSeed;
}

/** `host/repository:tag`, pinned to its digest when `pin`. */
function ref(images: Images, repository: string, tag: string, pin: boolean): string {
  if (repository === 'library/docker') return `${images.host}/${repository}:${tag}${pin ? `@${images.incident.digests[tag as keyof IncidentSeed['digests']]}` : ''}`;
  return `${images.host}/${repository}:${tag}${pin ? `@${images.digests.get(`${repository}:${tag}`)}` : ''}`;
}

type Kind = 'service' | 'web' | 'database' | 'builder';
const KINDS: readonly Kind[] = ['service', 'web', 'database', 'builder'];

/**
 * The files of project `index`: even projects are behind (old tags, unpinned or pinned), odd
 * projects are on the newest complete tags, pinned. Builders and database tools also use images
 * whose newest tag the gate holds (docker 27.2.0-dind, kubectl 1.30.3).
 */
function projectFiles(images: Images, index: number): Record<string, string> {
  const behind = index % 2 === 0;
  const kind = KINDS[Math.floor(index / 2) % KINDS.length]!;
  const name = `${kind}-${String(index).padStart(3, '0')}`;
  const at = (repository: string, old: string, current: string) => (behind ? ref(images, repository, old, index % 4 === 0) : ref(images, repository, current, true));
  const python = at('lang/python', '3.12.3', '3.12.4');
  const alpine = at('base/alpine', '3.19.1', '3.20.0');
  const nginx = at('web/nginx', '1.26.0', '1.26.1');
  const postgres = at('data/postgres', '16.2', '16.3');
  const kubectl = ref(images, 'tools/kubectl', behind ? '1.30.1' : '1.30.2', !behind);
  const docker = ref(images, 'library/docker', behind ? '27.0.3' : '27.1.1', !behind);
  const dind = ref(images, 'library/docker', behind ? '27.0.3-dind' : '27.1.1-dind', !behind);
  const readme = `# ${name}\n\nOwned by the ${TEAMS[index % TEAMS.length]} team. See the runbook in the wiki.\n`;
  switch (kind) {
    case 'service':
      return {
        'README.md': readme,
        'requirements.txt': 'fastapi==0.111.0\nuvicorn==0.30.1\n',
        'app/main.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/healthz")\ndef health() -> dict[str, str]:\n    return {"status": "ok"}\n',
        Dockerfile: `FROM ${python} AS build\nWORKDIR /src\nCOPY requirements.txt .\nRUN pip wheel --wheel-dir /wheels -r requirements.txt\n\nFROM ${alpine}\nCOPY --from=build /wheels /wheels\nCOPY app/ /srv/app/\nUSER 65532\nENTRYPOINT ["/srv/app/run"]\n`,
        '.gitlab-ci.yml': `stages: [test, build]\n\ntest:\n  stage: test\n  image: ${python}\n  script:\n    - pip install -r requirements.txt\n    - python -m pytest -q\n\nbuild:\n  stage: build\n  image: ${docker}\n  services:\n    - name: ${dind}\n      alias: docker\n  script:\n    - docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA" .\n`,
        'deploy/deployment.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  labels:\n    app: ${name}\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: ${name}\n  template:\n    metadata:\n      labels:\n        app: ${name}\n    spec:\n      containers:\n        - name: app\n          image: ${python}\n          command: ["uvicorn", "app.main:app", "--host", "0.0.0.0"]\n          ports:\n            - containerPort: 8000\n`,
      };
    case 'web':
      return {
        'README.md': readme,
        'nginx/default.conf': 'server {\n  listen 8080;\n  location / {\n    root /usr/share/nginx/html;\n  }\n}\n',
        'k8s/deployment.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      initContainers:\n        - name: fetch-assets\n          image: "${alpine}"\n          command: ["sh", "-c", "wget -qO- $ASSETS_URL | tar -xz -C /assets"]\n      containers:\n        - name: nginx\n          image: ${nginx}\n          ports:\n            - containerPort: 8080\n`,
        'compose.yaml': `services:\n  web:\n    image: ${nginx}\n    ports:\n      - "8080:8080"\n    volumes:\n      - ./nginx/default.conf:/etc/nginx/conf.d/default.conf:ro\n`,
      };
    case 'database':
      return {
        'README.md': readme,
        'compose.yaml': `services:\n  db:\n    image: ${postgres}\n    environment:\n      POSTGRES_PASSWORD: local-only\n    healthcheck:\n      test: ["CMD", "pg_isready", "-U", "postgres"]\n      interval: 5s\n  migrate:\n    image: ${python}\n    command: ["python", "-m", "migrations"]\n    depends_on: [db]\n`,
        '.gitlab-ci.yml': `migrate-staging:\n  image: ${kubectl}\n  script:\n    - kubectl -n staging apply -f k8s/job.yaml\n  rules:\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n`,
        'k8s/job.yaml': `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ${name}-migrate\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - name: migrate\n          image: ${python}\n          args: ["python", "-m", "migrations"]\n`,
      };
    case 'builder':
      return {
        'README.md': readme,
        '.gitlab-ci.yml': `variables:\n  DOCKER_TLS_CERTDIR: "/certs"\n\nimage-build:\n  image: ${docker}\n  services:\n    - name: ${dind}\n      alias: docker\n  script:\n    - docker buildx build --platform linux/amd64,linux/arm64 --push -t "$CI_REGISTRY_IMAGE" .\n\ndeploy:\n  image: ${kubectl}\n  script:\n    - kubectl rollout restart deployment/${name}\n  when: manual\n`,
        Dockerfile: `FROM ${alpine}\nRUN apk add --no-cache ca-certificates\nCOPY bin/ /usr/local/bin/\n`,
      };
  }
}

interface Phase {
  readonly seconds: number;
  readonly calls: number;
  readonly groupCalls: number;
  readonly projectCalls: number;
  readonly writes: number;
  readonly registryRequests: number;
}

/** One sweep made by `sweep`: its wall time, GitLab calls (group listings and per project), writes and registry requests, with what `sweep` reports itself. */
async function measure<T extends object>(label: string, gitlab: GitlabDouble, proxy: { reset(): void; readonly requests: readonly unknown[] }, sweep: () => Promise<T>): Promise<Phase & T> {
  proxy.reset();
  const from = gitlab.requests.length;
  const started = performance.now();
  const own = await sweep();
  const seconds = Math.round(((performance.now() - started) / 1000) * 100) / 100;
  const requests = gitlab.requests.slice(from);
  const projectCalls = requests.filter((request) => request.path.startsWith('/projects/')).length;
  const result = {
    seconds,
    calls: requests.length,
    groupCalls: requests.length - projectCalls,
    projectCalls,
    writes: requests.filter((request) => request.method !== 'GET' && request.method !== 'HEAD').length,
    registryRequests: proxy.requests.length,
    ...own,
  };
  process.stdout.write(`${label}: ${JSON.stringify(result)}\n`);
  return result;
}

/** The figures both modes print for a first sweep and a no-op sweep. */
function sweepFigures(first: Phase, noop: Phase, projects: number, distinctImages: number, gitlab: GitlabDouble) {
  const perProject = (phase: Phase) => Math.round((phase.calls / projects) * 1000) / 1000;
  const perImage = (phase: Phase) => Math.round((phase.registryRequests / distinctImages) * 10) / 10;
  return {
    firstRunSeconds: first.seconds,
    noopSeconds: noop.seconds,
    apiCallsPerProject: { first: perProject(first), noop: perProject(noop) },
    apiCalls: { first: first.calls, noop: noop.calls, noopGroupListing: noop.groupCalls, noopPerProjectCalls: noop.projectCalls },
    writes: { first: first.writes, noop: noop.writes },
    registryRequestsPerDistinctImage: { first: perImage(first), noop: perImage(noop) },
    rateLimited: gitlab.rateLimited(),
  };
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  return Math.round((kib / 1024) * 10) / 10;
}

/** CPU seconds a process (all its threads) has used, from /proc (clock ticks of 1/100 s, Linux's USER_HZ). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function drained(repositories: Queue, sweeps: Queue, sweepId: string): Promise<void> {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sweep = await sweeps.getJob(sweepId);
    if (sweep && !(await sweep.isCompleted()) && !(await sweep.isFailed())) continue;
    const counts = await repositories.getJobCounts('waiting', 'delayed', 'prioritized', 'active');
    if (Object.values(counts).every((count) => count === 0)) return;
  }
}

interface ShardUsage {
  readonly cpuMs: number;
  readonly maxRssKb: number;
}

/**
 * One sweep by the scheduled CI job: W shard processes of `archpin run` at once, each keeping its
 * own cache directory. Resolves with each shard's CPU time and peak RSS; a shard that exits with
 * anything but 0 fails the bench with its stderr.
 */
async function runShards(config: string, work: string, shards: number, concurrency: number): Promise<ShardUsage[]> {
  return Promise.all(
    Array.from({ length: shards }, (_, index) => {
      const child = spawn(
        process.execPath,
        [
          '--require',
          path.join(ROOT, 'bench/process-usage.cjs'),
          path.join(ROOT, 'bin/archpin.js'),
          'run',
          '--config',
          config,
          '--cache-dir',
          path.join(work, `cache-shard-${index + 1}`),
          '--shard',
          `${index + 1}/${shards}`,
          '--concurrency',
          String(concurrency),
          '--format',
          'json',
          '--log-level',
          'warn',
        ],
        { env: { PATH: process.env.PATH ?? '', HOME: work, GITLAB_TOKEN: GITLAB_TEST_TOKEN }, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      return new Promise<ShardUsage>((resolve, reject) => {
        child.once('exit', (code) => {
          const usage = /PROCESS_USAGE (\{.*\})/.exec(stderr)?.[1];
          if (code !== 0 || usage === undefined) reject(new Error(`shard ${index + 1}/${shards} exited with ${code}:\n${stderr.slice(-4000)}`));
          else resolve(JSON.parse(usage) as ShardUsage);
        });
      });
    }),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      projects: { type: 'string', default: '200' },
      workers: { type: 'string', default: '1' },
      'latency-ms': { type: 'string', default: '20' },
      'cpu-prof': { type: 'string' },
      mode: { type: 'string', default: 'serve' },
      concurrency: { type: 'string', default: '16' },
    },
  });
  const projects = Number(values.projects);
  const workers = Number(values.workers);
  const latencyMs = Number(values['latency-ms']);
  const profileDir = values['cpu-prof'] === undefined ? undefined : path.resolve(values['cpu-prof']);
  const concurrency = Number(values.concurrency);
  const work = mkdtempSync(path.join(os.tmpdir(), 'archpin-bench-run-'));
  const registry = await startRegistry();
  const proxy = await startProxy({ target: registry.url });
  const gitlab: GitlabDouble = await startGitlabDouble({ latencyMs });
  const redis = await startRedis();
  const children: ChildProcess[] = [];
  try {
    const target: RegistryTarget = { url: proxy.url, authorization: registry.authorization };
    const images: Images = { host: proxy.host, incident: await seedIncident(target), digests: await seedImages(target) };
    for (let index = 0; index < projects; index++) {
      const team = TEAMS[index % TEAMS.length]!;
      const kind = KINDS[Math.floor(index / 2) % KINDS.length]!;
      gitlab.state.addProject(`acme/${team}/${kind}-${String(index).padStart(5, '0')}`, { files: projectFiles(images, index) });
    }
    const distinctImages = Object.keys(IMAGES).length + 1;
    if (values.mode === 'run') {
      const runConfig = path.join(work, 'archpin-run.json');
      writeFileSync(runConfig, JSON.stringify({ forge: { type: 'gitlab', url: gitlab.url, groups: ['acme'] }, tagCacheTtl: '1s' }));
      const phase = (label: string) =>
        measure(label, gitlab, proxy, async () => {
          const usage = await runShards(runConfig, work, workers, concurrency);
          return { cpuMs: usage.reduce((sum, shard) => sum + shard.cpuMs, 0), peakRssMiB: usage.map((shard) => Math.round((shard.maxRssKb / 1024) * 10) / 10) };
        });
      const first = await phase('first');
      const opened = [...gitlab.state.projects.values()].filter((project) => project.mergeRequests.length > 0).length;
      const noop = await phase('noop');
      process.stdout.write(
        `${JSON.stringify({
          mode: 'run',
          projects,
          shards: workers,
          latencyMs,
          concurrencyPerShard: concurrency,
          ...sweepFigures(first, noop, projects, distinctImages, gitlab),
          projectsWithMergeRequests: opened,
          peakRssMiBPerShard: { first: first.peakRssMiB, noop: noop.peakRssMiB },
          cpuMsPerProject: { first: Math.round((first.cpuMs / projects) * 10) / 10, noop: Math.round((noop.cpuMs / projects) * 10) / 10 },
          cpus: os.cpus().length,
        })}\n`,
      );
      return;
    }
    const config = path.join(work, 'archpin.json');
    writeFileSync(
      config,
      JSON.stringify({
        forge: { type: 'gitlab', url: gitlab.url, groups: ['acme'] },
        serve: {
          listen: '127.0.0.1:0',
          concurrency,
          webhookSecretEnv: 'BENCH_HOOK_SECRET',
          schedule: '0 0 1 1 *',
          sweepOnStart: false,
          queue: { redisUrl: redis.url, prefix: 'bench', tagCacheTtl: '1s' },
        },
      }),
    );
    const start = async (role: 'scheduler' | 'worker', index: number) => {
      const child = spawn(
        process.execPath,
        [
          ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
          path.join(ROOT, 'bin/archpin.js'),
          'serve',
          '--config',
          config,
          '--role',
          role,
          '--cache-dir',
          path.join(work, `cache-${role}-${index}`),
          '--log-level',
          'warn',
        ],
        {
          env: { PATH: process.env.PATH ?? '', HOME: work, GITLAB_TOKEN: GITLAB_TEST_TOKEN, BENCH_HOOK_SECRET: 'bench-only-secret' },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('listening on')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
      });
      return child;
    };
    await start('scheduler', 0);
    const workerProcesses = await Promise.all(Array.from({ length: workers }, (_, index) => start('worker', index)));
    const connection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
    const repositories = new Queue('repositories', { connection, prefix: 'bench' });
    const sweeps = new Queue('sweeps', { connection, prefix: 'bench' });

    const phase = (label: string) =>
      measure(label, gitlab, proxy, async () => {
        const cpuBefore = workerProcesses.map((child) => cpuSeconds(child.pid!));
        await sweeps.add('sweep', {}, { jobId: `bench-${label}` });
        await drained(repositories, sweeps, `bench-${label}`);
        return { workerCpuSeconds: Math.round(workerProcesses.reduce((sum, child, index) => sum + cpuSeconds(child.pid!) - cpuBefore[index]!, 0) * 10) / 10 };
      });
    const first = await phase('first');
    const opened = [...gitlab.state.projects.values()].filter((project) => project.mergeRequests.length > 0).length;
    const noop = await phase('noop');
    const rss = workerProcesses.map((child) => peakRssMiB(child.pid!));
    await Promise.all([repositories.close(), sweeps.close()]);
    const summary = {
      projects,
      workers,
      latencyMs,
      concurrencyPerWorker: concurrency,
      ...sweepFigures(first, noop, projects, distinctImages, gitlab),
      projectsWithMergeRequests: opened,
      peakRssMiBPerWorker: rss,
      workerCpuMsPerProject: { first: Math.round((first.workerCpuSeconds / projects) * 10000) / 10, noop: Math.round((noop.workerCpuSeconds / projects) * 10000) / 10 },
      cpus: os.cpus().length,
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : Promise.resolve())));
    await redis.stop();
    await gitlab.stop();
    await proxy.stop();
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();

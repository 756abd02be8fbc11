// Cost of `archpin run` on a GitLab group of 200 projects: wall time, forge API calls per project
// (by method) and registry requests, for a first run, a second run with nothing new (warm cache,
// then an empty cache as in CI), and a third run after one image gains a new complete tag.
// The CLI runs in-process against the GitLab double and the real test registry behind the
// counting proxy. Usage: npm run bench:run   (needs docker-registry: scripts/ensure-registry.mjs)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startGitlabDouble, GITLAB_TEST_TOKEN, type GitlabDouble } from '../test/support/gitlab-double.js';
import { startProxy, type TestProxy } from '../test/support/proxy.js';
import { startRegistry, type RegistryTarget } from '../test/support/registry.js';
import { runArchpin } from '../test/support/run-cli.js';
import { pushImage, pushIndex, seedIncident, type IncidentSeed } from '../test/support/seed.js';

const PROJECTS = 200;
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
const NEW_TAG = { repository: 'lang/python', tag: '3.12.5' } as const;

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

interface Report {
  repositories: Array<{ repository: string; changes: Array<{ action: string; title: string }>; blocked: unknown[]; errors: unknown[]; reusedScan: boolean }>;
  errors: unknown[];
}

interface Row {
  readonly label: string;
  readonly seconds: number;
  readonly code: number;
  readonly report: Report;
  /** Forge calls per project id, by method. */
  readonly perProject: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly groupCalls: number;
  readonly writes: number;
  readonly registry: { tags: number; head: number; get: number; blob: number; other: number };
}

async function measure(label: string, gitlab: GitlabDouble, proxy: TestProxy, cache: string): Promise<Row> {
  proxy.reset();
  const from = gitlab.requests.length;
  const started = performance.now();
  const result = await runArchpin(['run', '--forge', 'gitlab', '--url', gitlab.url, '--group', 'acme', '--format', 'json', '--cache-dir', cache], { env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN } });
  const seconds = (performance.now() - started) / 1000;
  if (result.stderr !== '') process.stderr.write(`${label}: ${result.stderr}`);
  const report = JSON.parse(result.stdout) as Report;
  const perProject = new Map<string, Map<string, number>>();
  let groupCalls = 0;
  let writes = 0;
  for (const request of gitlab.requests.slice(from)) {
    if (request.method !== 'GET' && request.method !== 'HEAD') writes++;
    const id = /^\/projects\/([^/]+)/.exec(request.path)?.[1];
    if (!id) {
      groupCalls++;
      continue;
    }
    const methods = perProject.get(id) ?? new Map<string, number>();
    methods.set(request.method, (methods.get(request.method) ?? 0) + 1);
    perProject.set(id, methods);
  }
  const manifests = /\/manifests\//;
  const tags = proxy.count('GET', /\/tags\/list/);
  const head = proxy.count('HEAD', manifests);
  const get = proxy.count('GET', manifests);
  const blob = proxy.count('GET', /\/blobs\//);
  return { label, seconds, code: result.code, report, perProject, groupCalls, writes, registry: { tags, head, get, blob, other: proxy.requests.length - tags - head - get - blob } };
}

const actions = (row: Row, action: string) => row.report.repositories.reduce((sum, repo) => sum + repo.changes.filter((change) => change.action === action).length, 0);
const total = (methods: ReadonlyMap<string, number>) => [...methods.values()].reduce((a, b) => a + b, 0);

function table(rows: readonly Row[]): string {
  const header = ['run', 'exit', 'wall s', 'API calls', 'per project: GET / POST / PUT', 'max/project', 'group calls', 'writes', 'registry: tags / HEAD / GET / blob', 'opened', 'updated', 'unchanged', 'held', 'reused scans'];
  const lines = rows.map((row) => {
    const projects = row.report.repositories.length;
    const sum = (method: string) => [...row.perProject.values()].reduce((acc, methods) => acc + (methods.get(method) ?? 0), 0);
    const per = (method: string) => (sum(method) / projects).toFixed(2);
    const calls = [...row.perProject.values()].reduce((acc, methods) => acc + total(methods), 0) + row.groupCalls;
    return [
      row.label,
      String(row.code),
      row.seconds.toFixed(2),
      String(calls),
      `${per('GET')} / ${per('POST')} / ${per('PUT')}`,
      String(Math.max(0, ...[...row.perProject.values()].map(total))),
      String(row.groupCalls),
      String(row.writes),
      `${row.registry.tags} / ${row.registry.head} / ${row.registry.get} / ${row.registry.blob}`,
      String(actions(row, 'opened')),
      String(actions(row, 'updated')),
      String(actions(row, 'unchanged')),
      String(row.report.repositories.reduce((sum, repo) => sum + repo.blocked.length, 0)),
      String(row.report.repositories.filter((repo) => repo.reusedScan).length),
    ];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const format = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...lines.map(format)].join('\n');
}

/** Projects whose run did anything but leave every change unchanged: counts by action and project kind, and the project paths. */
function changed(row: Row): { summary: string[]; projects: string[]; untouched: string[] } {
  const counts = new Map<string, number>();
  const projects: string[] = [];
  const untouched: string[] = [];
  for (const repo of row.report.repositories) {
    const moved = repo.changes.filter((change) => change.action !== 'unchanged');
    if (moved.length === 0 && repo.errors.length === 0) {
      untouched.push(repo.repository);
      continue;
    }
    projects.push(repo.repository);
    const kind = /\/([a-z]+)-\d+$/.exec(repo.repository)?.[1] ?? '?';
    const count = (what: string) => counts.set(what, (counts.get(what) ?? 0) + 1);
    // Titles without the registry host (its port changes from run to run).
    for (const change of moved) count(`${change.action} "${change.title.replace(/^(\S+ )\S+?\/([a-z]+\/[a-z]+) /, '$1$2 ')}" (${kind})`);
    if (repo.errors.length) count(`errors (${kind})`);
  }
  return { summary: [...counts].sort().map(([what, count]) => `${String(count).padStart(4)}  ${what}`), projects, untouched };
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'archpin-bench-run-'));
  const registry = await startRegistry();
  const proxy = await startProxy({ target: registry.url });
  const gitlab = await startGitlabDouble();
  try {
    const target: RegistryTarget = { url: proxy.url, authorization: registry.authorization };
    const images: Images = { host: proxy.host, incident: await seedIncident(target), digests: await seedImages(target) };
    for (let index = 0; index < PROJECTS; index++) {
      const team = TEAMS[index % TEAMS.length]!;
      const kind = KINDS[Math.floor(index / 2) % KINDS.length]!;
      gitlab.state.addProject(`acme/${team}/${kind}-${String(index).padStart(3, '0')}`, { files: projectFiles(images, index) });
    }
    const cache = path.join(work, 'cache');
    const rows: Row[] = [];
    rows.push(await measure('1 first run', gitlab, proxy, cache));
    rows.push(await measure('2 nothing new (warm cache)', gitlab, proxy, cache));
    rows.push(await measure('2b nothing new (empty cache)', gitlab, proxy, path.join(work, 'cache-empty')));
    await pushTag(target, NEW_TAG.repository, NEW_TAG.tag, '2024-06-04T08:00:00Z');
    rows.push(await measure(`3 new tag ${NEW_TAG.repository}:${NEW_TAG.tag}`, gitlab, proxy, cache));

    const quiet = rows[1]!;
    const overBudget = [...quiet.perProject.entries()].filter(([, methods]) => total(methods) > 3);
    const third = changed(rows[3]!);
    const untouched = third.untouched.map((name) => rows[3]!.perProject.get(String(gitlab.state.project(name).id)) ?? new Map<string, number>());
    const untouchedWrites = untouched.reduce((sum, methods) => sum + total(methods) - (methods.get('GET') ?? 0), 0);
    const out = [
      `${PROJECTS} projects in ${TEAMS.length} subgroups of acme; ${Object.keys(IMAGES).length + 1} images; half the projects behind, newest kubectl and docker dind tags held by the gate`,
      '',
      table(rows),
      '',
      `run 2: ${quiet.writes} writes; ${overBudget.length} projects over 3 API calls${overBudget.length ? ` (${overBudget.slice(0, 5).map(([id, methods]) => `${id}: ${total(methods)}`).join(', ')})` : ''}`,
      `run 3: ${third.projects.length} projects changed; the ${third.untouched.length} others made at most ${Math.max(0, ...untouched.map(total))} API calls each and ${untouchedWrites} writes`,
      ...third.summary.map((line) => `  ${line}`),
      `  e.g. ${third.projects.slice(0, 4).join(', ')}`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await gitlab.stop();
    await proxy.stop();
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();

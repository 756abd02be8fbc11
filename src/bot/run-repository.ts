import { DEFAULTS } from '../config/defaults.js';
import type { Plan, PlannedChange, PlannedUpdate, UpstreamNote } from '../core/planned.js';
import { createHash } from 'node:crypto';
import type { Forge, Repository } from '../apply/forges/forge.js';
import { resolveConfig, type ResolvedSettings } from '../config/resolve-config.js';
import { createRunPolicy } from '../config/run-policy.js';
import { withRepositoryConfig } from '../config/repository-config.js';
import type { Config } from '../config/schema.js';
import type { Dependency, DependencyResult, LookupFailure } from '../core/dependency.js';
import { errorFields, RepositoryOverBudget } from '../core/errors.js';
import { imageKey } from '../core/image-ref.js';
import type { ChangeOutcome, RepositoryOutcome, RunError } from '../core/outcome.js';
import type { SourceFile } from '../core/source-file.js';
import type { OutsideRead, Reference, ScanProblem } from '../core/types.js';
import type { FirstSeenStore } from '../lookup/first-seen-store.js';
import { lookupAndPlan, markDisabled } from '../pipeline/pipeline.js';
import { groupChanges } from '../plan/change-groups.js';
import { policyForUpdateType } from '../config/image-policy.js';
import { changeFingerprint, changeTitle } from '../plan/change-request-text.js';
import { dashboardBody, decodeDashboardState, DASHBOARD_TITLE, type DashboardState } from '../plan/dashboard.js';
import { closeObsolete, reconcileChange } from './reconcile-change.js';
import { readRepositoryFiles } from './read-repository.js';
import { changedInclude, readOutsideIncludes } from '../pipeline/outside-includes.js';
import { repositoryDashboardBody, writeDashboard } from './repository-dashboard.js';
import { inProcessScanner, type RepositoryScanner } from './repository-scanner.js';

/** A lookup result; `firstSeenKeys` lists the `image@digest` first-seen keys the lookup consulted. */
export type LookedUp = DependencyResult & { readonly firstSeenKeys?: readonly string[] };

export interface RunRepositoryDeps {
  readonly forge: Forge;
  readonly lookup: (dependencies: readonly Dependency[], config: Config) => Promise<readonly LookedUp[]>;
  readonly firstSeen: FirstSeenStore;
  readonly now: () => number;
  readonly dryRun: boolean;
  /** Called between writes; a stop request makes the run end after the write in flight. */
  readonly shouldStop?: () => boolean;
  /** Image chains: the upstream pipelines behind a change's images (named in its body). */
  readonly upstream?: ((change: PlannedChange) => Promise<readonly UpstreamNote[]>) | undefined;
  /** Where scanning and change making run: in-process by default, a worker with limits in `serve` (isolated-scanner.ts). */
  readonly scanner?: (repository: string) => RepositoryScanner;
}

function configHash(config: Config): string {
  const { forge: _forge, registries: _registries, ...rest } = config;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 16);
}

/** A repository's scan with its effective config; `files` is null when the scan was remembered rather than read. */
interface RepositoryScan {
  /** Whether the scanner holds this run's scan (false: the references were remembered). */
  readonly scanned: boolean;
  readonly references: readonly Reference[];
  readonly problems: readonly ScanProblem[];
  readonly config: Config;
  readonly repoConfig: string | null;
  /** The files of other projects and templates its CI includes, as read for the scan. */
  readonly includes: readonly OutsideRead[];
}

async function scanRepository(forge: Forge, repo: Repository, ref: string, global: Config, scanner: RepositoryScanner): Promise<RepositoryScan> {
  const globalSettings = resolveConfig(global);
  const read = await readRepositoryFiles(forge, repo, ref, { ignorePaths: globalSettings.ignorePaths, maxFileSize: globalSettings.maxFileSize });
  const config = withRepositoryConfig(global, read.configText, `${repo.path}/archpin.json`);
  const files = config.ignorePaths === global.ignorePaths ? read.files : await narrowed(forge, repo, ref, config);
  // Files the CI includes from other projects and GitLab's templates, read through the forge (GitLab only).
  const outside = forge.ciIncludes ? await readOutsideIncludes(files, forge.ciIncludes) : undefined;
  const scanned = await scanner.scan(files, read.problems, outside);
  return { scanned: true, references: scanned.references, problems: scanned.problems, config, repoConfig: read.configText, includes: outside?.asked ?? [] };
}

async function narrowed(forge: Forge, repo: Repository, ref: string, config: Config): Promise<readonly SourceFile[]> {
  const { ignorePaths, maxFileSize } = resolveConfig(config);
  return (await readRepositoryFiles(forge, repo, ref, { ignorePaths, maxFileSize })).files;
}

/**
 * One repository: scan (or reuse the scan remembered in the dashboard when the default branch has
 * not moved), look up, gate, plan, then reconcile change requests with what the forge holds.
 * Stateless: branches are deterministic, MRs are found by branch, state lives in MR and issue bodies.
 */
export async function runRepository(repo: Repository, global: Config, deps: RunRepositoryDeps): Promise<RepositoryOutcome> {
  const scanner = (deps.scanner ?? inProcessScanner)(repo.path);
  try {
    return await runWith(repo, global, deps, scanner);
  } finally {
    scanner.close();
  }
}

async function runWith(repo: Repository, global: Config, deps: RunRepositoryDeps, scanner: RepositoryScanner): Promise<RepositoryOutcome> {
  const { forge } = deps;
  const head = await forge.branchHead(repo, repo.defaultBranch);
  if (!head) throw new Error(`default branch ${repo.defaultBranch} not found`);
  const wantsDashboard = resolveConfig(global).dashboard;
  const dashboard = wantsDashboard ? await forge.findIssue(repo, DASHBOARD_TITLE) : null;
  const remembered = decodeDashboardState(dashboard?.body);
  for (const [key, ms] of Object.entries(remembered?.firstSeen ?? {})) deps.firstSeen.remember(key, ms);

  const hash = configHash(global);
  // Over budget at this commit and config: skipped without scanning again (the dashboard says why).
  if (remembered?.overBudget !== undefined && remembered.base === head.sha && remembered.configHash === hash)
    throw new RepositoryOverBudget(repo.path, `${remembered.overBudget} at ${head.sha.slice(0, 12)} (remembered; tried again when the default branch or the config changes)`);
  const start: RunStart = { head, dashboard, remembered, hash, wantsDashboard };
  try {
    return await runScanned(repo, global, deps, scanner, start);
  } catch (error) {
    if (error instanceof RepositoryOverBudget && wantsDashboard && !deps.shouldStop?.()) await writeOverBudgetDashboard(forge, repo, start, error.reason, deps.dryRun);
    throw error;
  }
}

/** The dashboard of a repository over its scan budget: the entries it had, and why this commit is skipped. */
async function writeOverBudgetDashboard(forge: Forge, repo: Repository, start: RunStart, reason: string, dryRun: boolean): Promise<void> {
  const { head, dashboard, remembered, hash } = start;
  const body = dashboardBody({
    changes: remembered?.entries ?? [],
    held: [],
    errors: [],
    problems: [],
    skipped: 0,
    skippedBecause: reason,
    state: {
      version: 1,
      base: head.sha,
      configHash: hash,
      references: null,
      changes: {},
      firstSeen: remembered?.firstSeen ?? {},
      overBudget: reason,
      ...(remembered?.entries ? { entries: remembered.entries } : {}),
    },
  });
  await writeDashboard(forge, repo, dashboard, body, dryRun);
}

interface RunStart {
  readonly head: { readonly sha: string };
  readonly dashboard: { number: number; body: string } | null;
  readonly remembered: DashboardState | null;
  readonly hash: string;
  readonly wantsDashboard: boolean;
}

async function runScanned(repo: Repository, global: Config, deps: RunRepositoryDeps, scanner: RepositoryScanner, start: RunStart): Promise<RepositoryOutcome> {
  const { forge } = deps;
  const { head, remembered, wantsDashboard } = start;
  const errors: Array<LookupFailure | RunError> = [];
  const reused = await rememberedScan(forge, repo, global, start);
  const reuse = reused !== null;
  let scan: RepositoryScan = reused ?? (await scanRepository(forge, repo, head.sha, global, scanner));
  const config = scan.config;
  const policy = createRunPolicy(config);
  const settings = resolveConfig(config);
  const references = markDisabled(scan.references, (image) => policy.forImage(image).enabled);
  const { results, plan } = await lookupAndPlan(references, (dependencies) => deps.lookup(dependencies, config), { sharedLiterals: config.sharedLiterals ?? DEFAULTS.sharedLiterals });
  // Stopped while looking up: what the lookups found may be cut short, so nothing is written or reported for it.
  if (deps.shouldStop?.()) return { repository: repo.path, changes: [], closed: [], held: [], errors: [], problems: scan.problems, reusedScan: reuse, interrupted: 'lookups' };
  for (const error of plan.errors) errors.push(error);
  for (const failure of plan.failures) errors.push({ code: failure.code, message: `${failure.file}:${failure.line}: ${failure.message}` });
  const prefix = settings.branchPrefix;
  const rulesOf = (update: PlannedUpdate) => policyForUpdateType(policy.forImage(update.image, update.reference.image?.tag ?? null), update.updateType);
  const changes = groupChanges(plan.updates, plan.held, {
    branchPrefix: prefix,
    groupNameFor: (image, update) => (update === undefined ? policy.forImage(image).groupName : rulesOf(update).groupName),
    assignmentsFor: (update) => rulesOf(update),
  });
  const fingerprints = Object.fromEntries(changes.map((change) => [change.branch, changeFingerprint(change)]));

  const unchanged = reuse && remembered !== null && sameRecord(remembered.changes, fingerprints);
  let outcomes: ChangeOutcome[];
  let closed: string[] = [];
  // A stop skipped some of the writes (change requests, closing obsolete ones, the dashboard).
  let cut = false;
  if (unchanged) {
    outcomes = changes.map((change) => ({ branch: change.branch, title: changeTitle(change), action: 'unchanged', number: null, url: null }));
  } else {
    if (!scan.scanned) scan = await scanRepository(forge, repo, head.sha, global, scanner);
    ({ outcomes, closed, cut } = await writeChanges(repo, deps, scanner, { head, config, settings, changes, fingerprints }, errors));
  }

  if (wantsDashboard && deps.shouldStop?.()) cut = true;
  else if (wantsDashboard) {
    await writeRunDashboard(repo, deps, start, { scan, references, results, plan, fingerprints, outcomes, keptEntries: unchanged ? (remembered.entries ?? null) : null });
  }
  return {
    repository: repo.path,
    changes: outcomes,
    closed,
    held: plan.held,
    errors,
    problems: scan.problems,
    reusedScan: reuse,
    ...(scan.includes.length > 0 ? { includes: scan.includes } : {}),
    ...(cut ? { interrupted: 'changes' as const } : {}),
  };
}

/**
 * The scan a run can use again: the dashboard's remembered references at the same commit and config, with the
 * repository's remembered config, while no file its CI includes from other projects changed; null otherwise.
 */
async function rememberedScan(forge: Forge, repo: Repository, global: Config, start: RunStart): Promise<RepositoryScan | null> {
  const { head, remembered, hash } = start;
  const sameBase = remembered !== null && remembered.base === head.sha && remembered.configHash === hash && remembered.references !== null;
  // The default branch has not moved; the files its CI includes from other projects may have: each is asked again.
  const includesMoved = sameBase && forge.ciIncludes && remembered.includes?.length ? await changedInclude(forge.ciIncludes, remembered.includes) : null;
  if (!(sameBase && includesMoved === null)) return null;
  const scan: RepositoryScan = { scanned: false, references: remembered.references, problems: [], config: global, repoConfig: null, includes: remembered.includes ?? [] };
  if (remembered.repoConfig === undefined) return scan;
  return { ...scan, config: withRepositoryConfig(global, remembered.repoConfig, `${repo.path}/archpin.json`), repoConfig: remembered.repoConfig };
}

/**
 * Opens or updates each change's request within the configured limits, then closes the archpin requests no
 * change needs any more. A stop ends it between changes (`cut`); a change that fails is its own outcome.
 */
async function writeChanges(
  repo: Repository,
  deps: RunRepositoryDeps,
  scanner: RepositoryScanner,
  run: {
    readonly head: { readonly sha: string };
    readonly config: Config;
    readonly settings: ResolvedSettings;
    readonly changes: readonly PlannedChange[];
    readonly fingerprints: Readonly<Record<string, string>>;
  },
  errors: Array<LookupFailure | RunError>,
): Promise<{ outcomes: ChangeOutcome[]; closed: string[]; cut: boolean }> {
  const { forge } = deps;
  const { head, config, settings, changes, fingerprints } = run;
  const prefix = settings.branchPrefix;
  let closed: string[] = [];
  let cut = false;
  const open = await forge.listOpenChangeRequests(repo, prefix);
  let openCount = open.length;
  const hourAgo = deps.now() - 3_600_000;
  let openedThisHour = open.filter((request) => request.createdAt !== undefined && Date.parse(request.createdAt) >= hourAgo).length;
  const outcomes: ChangeOutcome[] = [];
  for (const change of changes) {
    if (deps.shouldStop?.()) {
      cut = true;
      break;
    }
    const made = await scanner.changeFiles(change.fileEdits);
    const title = changeTitle(change);
    if (!made.ok) {
      outcomes.push({ branch: change.branch, title, action: 'failed', number: null, url: null, error: made.reason });
      continue;
    }
    const fingerprint = fingerprints[change.branch] ?? changeFingerprint(change);
    try {
      const upstream = deps.upstream ? await deps.upstream(change) : [];
      const outcome = await reconcileChange(forge, repo, change, {
        title,
        files: made.files,
        base: head.sha,
        fingerprint,
        config,
        dryRun: deps.dryRun,
        canOpen: () => withinLimits(openCount, openedThisHour, settings),
        upstream,
      });
      if (outcome.action === 'opened') {
        openCount++;
        openedThisHour++;
      }
      for (const problem of outcome.problems ?? []) errors.push({ code: 'forge-assign-failed', message: `${change.branch}: ${problem}` });
      outcomes.push(outcome);
    } catch (error) {
      const { message } = errorFields(error);
      outcomes.push({ branch: change.branch, title, action: 'failed', number: null, url: null, error: message });
    }
  }
  if (deps.shouldStop?.()) cut = true;
  else closed = await closeObsolete(forge, repo, open, new Set(changes.map((change) => change.branch)), deps.dryRun);
  return { outcomes, closed, cut };
}

/** What a run's dashboard shows and remembers. */
interface RunDashboard {
  readonly scan: RepositoryScan;
  readonly references: readonly Reference[];
  readonly results: readonly LookedUp[];
  readonly plan: Pick<Plan, 'held' | 'errors'>;
  readonly fingerprints: Readonly<Record<string, string>>;
  readonly outcomes: readonly ChangeOutcome[];
  /** The entries of the last dashboard, kept when nothing changed. */
  readonly keptEntries: DashboardState['entries'] | null;
}

/** Writes the dashboard of a run: its changes, what is held back, errors, and the state the next run reads. */
async function writeRunDashboard(repo: Repository, deps: RunRepositoryDeps, start: RunStart, run: RunDashboard): Promise<void> {
  const { scan, references, results, plan, fingerprints } = run;
  const stateFor = (settled: ReadonlySet<string>): DashboardState => ({
    version: 1,
    base: start.head.sha,
    configHash: start.hash,
    references: scan.references,
    repoConfig: scan.repoConfig,
    ...(scan.includes.length > 0 ? { includes: scan.includes } : {}),
    // Only changes the forge now holds: a failed or waiting one makes the next run look again.
    changes: Object.fromEntries(Object.entries(fingerprints).filter(([branch]) => settled.has(branch))),
    firstSeen: rememberedFirstSeen(deps.firstSeen, results, references),
  });
  const body = repositoryDashboardBody({
    outcomes: run.outcomes,
    keptEntries: run.keptEntries ?? null,
    held: plan.held,
    errors: plan.errors,
    problems: scan.problems,
    skipped: references.filter((reference) => reference.skip !== null).length,
    stateFor,
  });
  await writeDashboard(deps.forge, repo, start.dashboard, body, deps.dryRun);
}

/**
 * The first-seen times this repository's lookups consulted. Falls back to every key of its images
 * when a lookup does not say which it consulted; the store grows as other repositories of a run
 * are looked up, so that fallback depends on their order.
 */
function rememberedFirstSeen(store: FirstSeenStore, results: readonly LookedUp[], references: readonly Reference[]): Record<string, number> {
  const known = store.entries();
  const consulted = results.flatMap((result) => (result.firstSeenKeys === undefined ? [] : [result.firstSeenKeys]));
  const keys =
    consulted.length === results.length
      ? new Set(consulted.flat())
      : new Set([...known.keys()].filter((key) => references.some((reference) => reference.image && key.startsWith(`${imageKey(reference.image)}@`))));
  return Object.fromEntries(
    [...keys].sort().flatMap((key) => {
      const firstSeen = known.get(key);
      return firstSeen === undefined ? [] : [[key, firstSeen]];
    }),
  );
}

/** prConcurrentLimit counts open archpin change requests; prHourlyLimit those opened in the last hour that are still open. 0 = no limit. */
function withinLimits(openCount: number, openedThisHour: number, settings: ResolvedSettings): boolean {
  const concurrent = settings.prConcurrentLimit;
  const hourly = settings.prHourlyLimit;
  return (concurrent === 0 || openCount < concurrent) && (hourly === 0 || openedThisHour < hourly);
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

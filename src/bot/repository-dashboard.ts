import type { Forge, Repository } from '../apply/forges/forge.js';
import type { HeldUpdate, LookupFailure } from '../core/dependency.js';
import type { ChangeAction, ChangeOutcome } from '../core/outcome.js';
import type { ScanProblem } from '../core/types.js';
import { dashboardBody, DASHBOARD_TITLE, type DashboardEntry, type DashboardState } from '../plan/dashboard.js';

/** Change requests the forge now holds as planned; only their fingerprints are remembered. */
const SETTLED: ReadonlySet<ChangeAction> = new Set(['opened', 'updated', 'unchanged', 'skipped-closed']);

export interface DashboardUpdate {
  readonly outcomes: readonly ChangeOutcome[];
  /** The lines to show when nothing is new (the ones already shown, with their links); null: show this run's. */
  readonly keptEntries: readonly DashboardEntry[] | null;
  readonly held: readonly HeldUpdate[];
  readonly errors: readonly LookupFailure[];
  readonly problems: readonly ScanProblem[];
  readonly skipped: number;
  /** The state to remember, given the branches whose change requests are settled. */
  readonly stateFor: (settled: ReadonlySet<string>) => DashboardState;
}

function entryOf(outcome: ChangeOutcome): DashboardEntry {
  return {
    title: outcome.title,
    branch: outcome.branch,
    url: outcome.url,
    status: outcome.action === 'skipped-closed' ? 'closed-by-user' : outcome.action === 'awaiting-limit' ? 'awaiting-limit' : outcome.action.startsWith('would') ? 'dry-run' : 'open',
  };
}

/** The dashboard issue's new body: this run's changes, what the gate holds back, errors, and the state the next run reads. */
export function repositoryDashboardBody(update: DashboardUpdate): string {
  const fresh = update.outcomes.map(entryOf);
  // With nothing new, the dashboard keeps the change lines it already shows (with their links).
  const entries = update.keptEntries ?? fresh;
  const settled = new Set(update.outcomes.filter((outcome) => SETTLED.has(outcome.action) && outcome.automerge === undefined).map((outcome) => outcome.branch));
  return dashboardBody({
    changes: entries,
    held: update.held,
    errors: update.errors,
    problems: [
      ...update.problems.map((problem) => `${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.code} — ${problem.message}`),
      ...update.outcomes.filter((outcome) => outcome.error).map((outcome) => `${outcome.branch}: ${outcome.error}`),
    ],
    skipped: update.skipped,
    state: { ...update.stateFor(settled), entries },
  });
}

/** Writes the dashboard issue when its body changed (never in a dry run). */
export async function writeDashboard(forge: Forge, repo: Repository, existing: { number: number; body: string } | null, body: string, dryRun: boolean): Promise<void> {
  if (dryRun || body === existing?.body) return;
  if (existing) await forge.updateIssue(repo, existing.number, body);
  else await forge.createIssue(repo, DASHBOARD_TITLE, body);
}

/** The records the apply stage hands back: what happened to each change request and to each repository. */
import type { HeldUpdate, LookupFailure } from './dependency.js';
import type { OutsideRead, ScanProblem } from './types.js';

export type ChangeAction = 'opened' | 'updated' | 'unchanged' | 'skipped-closed' | 'awaiting-limit' | 'would-open' | 'would-update' | 'failed';

export interface ChangeOutcome {
  readonly branch: string;
  readonly title: string;
  readonly action: ChangeAction;
  readonly number: number | null;
  readonly url: string | null;
  readonly error?: string;
  /** Auto-merge is wanted but waits for the MR's pipeline; a later run switches it on. */
  readonly automerge?: 'waiting';
  /** Opened, but a reviewer or assignee could not be set (each names the user and why). */
  readonly problems?: readonly string[];
}

/** A failure that is not a lookup's: a plan, write or forge error, as `{code, message}`. */
export interface RunError {
  readonly code: string;
  readonly message: string;
}

export interface RepositoryOutcome {
  readonly repository: string;
  readonly changes: readonly ChangeOutcome[];
  /** Branches of obsolete change requests closed (or that would be, in a dry run). */
  readonly closed: readonly string[];
  readonly held: readonly HeldUpdate[];
  readonly errors: ReadonlyArray<LookupFailure | RunError>;
  readonly problems: readonly ScanProblem[];
  /** True when the remembered scan was reused (nothing new on the default branch, nor in the files its CI includes from elsewhere). */
  readonly reusedScan: boolean;
  /** The files of other projects and templates its CI includes, as its scan read them (absent when none). */
  readonly includes?: readonly OutsideRead[];
  /**
   * Set when a stop (`run` interrupted, `serve` stopping) cut the run short: during its `lookups` (nothing was written
   * for it, and what they found is not reported), or while its `changes` were written (those listed were; the rest,
   * closing obsolete ones and the dashboard were not).
   */
  readonly interrupted?: 'lookups' | 'changes';
}

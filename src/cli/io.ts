import type { TokenCache } from '../lookup/token-cache.js';
/** What a command may touch of the process: streams, environment, clock. Built once in main.ts. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly now: () => number;
  /** Whether stderr is a terminal (progress lines are shown only then). */
  readonly interactive: boolean;
  /** The waits between retries and writes; main.ts leaves them out, so the documented values apply. */
  readonly waits?: CliWaits;
  /**
   * Registry bearer tokens shared by every command this process runs (a bench's runs in one process); absent:
   * each command keeps its own (serve shares one among its sessions).
   */
  readonly tokens?: TokenCache;
  /**
   * Subscribes to the user's interrupt (Ctrl-C, SIGINT) while a command runs, and to the `also` signals (`run`: SIGTERM);
   * the handler gets the signal's name. Returns the unsubscribe. Absent: no interrupts.
   */
  readonly onInterrupt?: (handler: (signal: StopSignal) => void, also?: readonly StopSignal[]) => () => void;
}

/**
 * How long a command waits where waiting is politeness, not a deadline. Tests shrink these so that a
 * retried request costs milliseconds; nothing a user sets (flags, config, environment) reaches them.
 */
export interface CliWaits {
  /** Milliseconds per second of forge and registry back-off, Retry-After waits and GitHub's write spacing (default 1000). */
  readonly msPerSecond?: number;
  /** How long a credential helper may take before its lookup fails (default 10 s). */
  readonly credentialHelperTimeoutMs?: number;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A sleep that waits `ms` scaled by the waits' milliseconds per second (unscaled by default). */
export function scaledSleep(waits: CliWaits | undefined): ((ms: number) => Promise<void>) | undefined {
  const perSecond = waits?.msPerSecond;
  return perSecond === undefined || perSecond === 1000 ? undefined : (ms) => realSleep((ms * perSecond) / 1000);
}

/** The signals that stop a command early with a partial report. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

export type ExitCode = 0 | 1 | 2 | 3 | 4 | 130 | 143;
export const EXIT_OK: ExitCode = 0;
export const EXIT_PARTIAL: ExitCode = 1;
export const EXIT_USAGE: ExitCode = 2;
export const EXIT_UNSAFE: ExitCode = 3;
/** `check --exit-code`: the run completed and updates are available (written, with --write). */
export const EXIT_UPDATES: ExitCode = 4;
/** Interrupted by SIGINT (128 + 2, as shells report it); the report printed is partial. */
export const EXIT_INTERRUPTED: ExitCode = 130;
/** `run` stopped by SIGTERM (128 + 15); the report printed is partial. */
export const EXIT_TERMINATED: ExitCode = 143;

/** The exit code of a command stopped early by `signal`. */
export const exitForSignal = (signal: StopSignal): ExitCode => (signal === 'SIGTERM' ? EXIT_TERMINATED : EXIT_INTERRUPTED);

/**
 * What `check` and `audit` set up around their lookups: a progress line on a terminal, `--log-level debug`
 * lines per registry request, and Ctrl-C ending the lookup in flight and starting no other (the command then
 * reports what finished).
 */
import type { Config } from '../config/schema.js';
import type { LogLevel } from './args.js';
import type { CliIo } from './io.js';
import { lookupSetup, type LookupSetup } from './lookup-deps.js';
import { progressReporter, type ProgressReporter } from './progress.js';
import { requestLogger } from './request-log.js';

export interface CommandLookup {
  readonly setup: LookupSetup;
  readonly progress: ProgressReporter;
  /** Whether Ctrl-C came. */
  readonly interrupted: () => boolean;
  /** Stops listening for Ctrl-C and clears the progress line: the lookups are over. */
  readonly finish: () => void;
}

export async function commandLookup(
  config: Config,
  io: CliIo,
  options: {
    /** What the progress line counts (`images`, `pins`). */
    readonly noun: string;
    readonly logLevel: LogLevel | undefined;
    readonly cacheDir: string;
    readonly platforms: readonly string[] | undefined;
    /** Ask every tag afresh (audit). */
    readonly freshTags?: boolean;
    /** The lookup itself moves the progress line, one image at a time (check); else the command does. */
    readonly progressFromLookup?: boolean;
  },
): Promise<CommandLookup> {
  const progress = progressReporter(io, options.noun);
  const interrupt = new AbortController();
  const stopListening = io.onInterrupt?.(() => interrupt.abort()) ?? (() => undefined);
  const finish = (): void => {
    stopListening();
    progress.done();
  };
  const onRequest = requestLogger(options.logLevel, io);
  try {
    const setup = await lookupSetup(config, io, {
      cacheDir: options.cacheDir,
      platforms: options.platforms,
      ...(options.freshTags ? { freshTags: true } : {}),
      ...(options.progressFromLookup ? { onProgress: (done: number, total: number) => progress.update(done, total) } : {}),
      onRequestStart: (url) => progress.host(url.host),
      ...(onRequest ? { onRequest } : {}),
      signal: interrupt.signal,
    });
    return { setup, progress, interrupted: () => interrupt.signal.aborted, finish };
  } catch (error) {
    finish();
    throw error;
  }
}

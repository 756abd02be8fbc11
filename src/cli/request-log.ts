import type { RegistryRequestEvent } from '../lookup/registry-client.js';
import type { LogLevel } from './args.js';
import type { CliIo } from './io.js';
import { createLogger, logFormatFor, type Logger } from './logger.js';

/**
 * `--log-level debug|trace`: one line per registry request on stderr (method, URL without credentials, status or
 * `null` with the cause, milliseconds), through `logger` (run, serve) or a logger of its own (check, audit).
 * Undefined at other levels, so no event is even built.
 */
export function requestLogger(level: LogLevel | undefined, io: CliIo, logger?: Logger): ((event: RegistryRequestEvent) => void) | undefined {
  if (level !== 'debug' && level !== 'trace') return undefined;
  const log = logger ?? createLogger({ level, format: logFormatFor(io.env, io.interactive), write: io.stderr, now: io.now });
  return (event) => log.debug({ method: event.method, url: event.url, status: event.status, ms: event.ms, ...(event.error === undefined ? {} : { error: event.error }) }, 'registry request');
}

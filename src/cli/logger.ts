/**
 * Logging for `run` and `serve`: pino JSON lines (CI, containers, anything that is not a terminal), or one
 * readable text line per record on a terminal. Always on stderr, so `run`'s stdout report stays clean.
 * Credentials never reach the output: pino redacts token-like fields and every line goes through redactSecrets.
 */
import { pino, type Logger } from 'pino';
import { redactSecrets } from '../core/errors.js';
import type { LogLevel } from './args.js';

export type { Logger } from 'pino';
export type LogFormat = 'json' | 'text';

/** JSON in CI and wherever stderr is not a terminal; text on a terminal. */
export function logFormatFor(env: Readonly<Record<string, string | undefined>>, interactive: boolean): LogFormat {
  return env.CI || !interactive ? 'json' : 'text';
}

const REDACT_PATHS = [
  'token',
  'password',
  'secret',
  'authorization',
  '*.token',
  '*.password',
  '*.secret',
  '*.authorization',
  'headers.authorization',
  'headers["private-token"]',
  'headers["x-gitlab-token"]',
  'headers["x-hub-signature-256"]',
];

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

function fieldText(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value && typeof value === 'object' && 'message' in value && typeof value.message === 'string') return JSON.stringify(value.message);
  return JSON.stringify(value);
}

/** One pino JSON line as `HH:MM:SS LEVEL message key=value …` (UTC). */
export function formatLogLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { time, level, msg, ...fields } = record;
  const clock = typeof time === 'string' ? time.slice(11, 19) : '';
  const name = LEVEL_NAMES[Number(level)] ?? String(level);
  const rest = Object.entries(fields)
    .map(([key, value]) => `${key}=${fieldText(value)}`)
    .join(' ');
  return `${clock} ${name.padEnd(5)} ${typeof msg === 'string' ? msg : ''}${rest ? ` ${rest}` : ''}\n`;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  readonly write: (text: string) => void;
  readonly now: () => number;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: undefined,
      timestamp: () => `,"time":"${new Date(options.now()).toISOString()}"`,
      redact: { paths: REDACT_PATHS, censor: '***' },
      serializers: {
        err: (error: unknown) =>
          error instanceof Error
            ? { type: error.name, ...('code' in error ? { code: String((error as { code: unknown }).code) } : {}), message: redactSecrets(error.message) }
            : { message: redactSecrets(String(error)) },
      },
    },
    {
      write: (line: string) => {
        const safe = redactSecrets(line);
        options.write(options.format === 'text' ? formatLogLine(safe) : safe);
      },
    },
  );
}

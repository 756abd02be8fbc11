import { redactSecrets } from './redact.js';

/** Typed errors: every failure carries a stable code, whether retrying can help, and its cause. */
export type ErrorCode =
  | 'usage'
  | 'config-invalid'
  | 'file-unreadable'
  | 'file-too-large'
  | 'file-binary'
  | 'parse-error'
  | 'symlink-outside'
  | 'file-not-regular'
  | 'repository-over-budget'
  | 'edit-conflict'
  | 'edit-verify-failed'
  | 'registry-unauthorized'
  | 'registry-forbidden'
  | 'registry-not-found'
  | 'registry-rate-limited'
  | 'registry-unavailable'
  | 'registry-timeout'
  | 'registry-network'
  | 'registry-unreachable'
  | 'registry-insecure'
  | 'registry-bad-response'
  | 'digest-mismatch'
  | 'manifest-too-large'
  | 'unsupported-media-type'
  | 'forge-unauthorized'
  | 'forge-forbidden'
  | 'forge-not-found'
  | 'forge-conflict'
  | 'forge-rate-limited'
  | 'forge-unavailable'
  | 'forge-error';

export class ArchpinError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(redactSecrets(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ArchpinError';
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** A repository whose scanning went over its memory or time budget: `reason` says which, without the repository's name. */
export class RepositoryOverBudget extends ArchpinError {
  readonly reason: string;

  constructor(repository: string, reason: string) {
    super('repository-over-budget', `${repository}: ${reason}; the repository is skipped`);
    this.reason = redactSecrets(reason);
  }
}

export function isArchpinError(error: unknown): error is ArchpinError {
  return error instanceof ArchpinError;
}

export { redactSecrets } from './redact.js';

/** An error as `{code, message}`: an ArchpinError keeps its code, anything else gets `fallback`. */
export function errorFields(error: unknown, fallback = 'run-failed'): { code: string; message: string } {
  if (isArchpinError(error)) return { code: error.code, message: error.message };
  return { code: fallback, message: error instanceof Error ? error.message : String(error) };
}

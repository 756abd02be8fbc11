/** Typed errors: every failure carries a stable code, whether retrying can help, and its cause. */
export type ErrorCode =
  | 'usage'
  | 'config-invalid'
  | 'file-unreadable'
  | 'file-too-large'
  | 'file-binary'
  | 'parse-error'
  | 'symlink-outside'
  | 'edit-conflict'
  | 'edit-verify-failed'
  | 'registry-unauthorized'
  | 'registry-forbidden'
  | 'registry-not-found'
  | 'registry-rate-limited'
  | 'registry-unavailable'
  | 'registry-timeout'
  | 'registry-network'
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

export function isArchpinError(error: unknown): error is ArchpinError {
  return error instanceof ArchpinError;
}

/** Removes credentials that may hide in a message: URL userinfo, bearer/basic tokens, token query params. */
export function redactSecrets(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(:[^/\s@]*)?@/gi, '$1***@')
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 ***')
    .replace(/([?&](?:access_token|private_token|token|password)=)[^&\s]+/gi, '$1***')
    .replace(/\b(glpat-|ghp_|gho_|ghs_|github_pat_)[A-Za-z0-9_-]+/g, '$1***');
}

/** An error as `{code, message}`: an ArchpinError keeps its code, anything else gets `fallback`. */
export function errorFields(error: unknown, fallback = 'run-failed'): { code: string; message: string } {
  if (isArchpinError(error)) return { code: error.code, message: error.message };
  return { code: fallback, message: error instanceof Error ? error.message : String(error) };
}

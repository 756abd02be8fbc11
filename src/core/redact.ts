/**
 * One redaction for every error and log line, whichever forge or registry it came from: URL
 * credentials, `Bearer`/`Basic` values, token query parameters, every known token shape (GitHub
 * `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_`/`github_pat_` and `v1.` installation tokens, GitLab `glpat-`
 * and its other prefixes, JWTs) and every secret value the configuration named.
 *
 * The configured values are held process-wide on purpose: error messages are formed deep inside
 * clients (ArchpinError's constructor redacts), far from where the config was read, and a secret
 * must never depend on being passed down to the right place.
 */
const configuredSecrets = new Set<string>();

/** Secrets shorter than this are not masked by value (masking "a" would garble every line); their shapes still are. */
const MIN_SECRET_LENGTH = 6;

/** Registers a secret value (a token, password or webhook secret read from the environment) to be masked wherever it appears. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= MIN_SECRET_LENGTH) configuredSecrets.add(value);
}

/**
 * Forgets every registered secret value. Only for a test worker that runs several test files one after
 * another in one process: the values one file registered must not mask the next file's output.
 */
export function forgetSecrets(): void {
  configuredSecrets.clear();
}

const GITHUB_TOKEN = /\b(ghp_|gho_|ghu_|ghs_|ghr_|github_pat_)[A-Za-z0-9_]+/g;
const GITHUB_INSTALLATION = /\b(v1\.)[0-9a-f]{40}\b/g;
const GITLAB_TOKEN = /\b(glpat-|gloas-|gldt-|glrt-|glrtr-|glcbt-|glptt-|glft-|glimt-|glagent-|glsoat-|glffct-|glwt-|glswt-|gltst-|GR1348941)[A-Za-z0-9_.-]+/g;
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;

/** Removes credentials that may hide in a message. */
export function redactSecrets(text: string): string {
  let out = text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(:[^/\s@]*)?@/gi, '$1***@')
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 ***')
    .replace(/\b(authorization:\s*token)\s+[^\s"']+/gi, '$1 ***')
    .replace(/([?&](?:access_token|private_token|token|password|client_secret)=)[^&\s]+/gi, '$1***')
    .replace(GITHUB_TOKEN, '$1***')
    .replace(GITHUB_INSTALLATION, '$1***')
    .replace(GITLAB_TOKEN, '$1***')
    .replace(JWT, 'eyJ***');
  for (const secret of configuredSecrets) if (out.includes(secret)) out = out.split(secret).join('***');
  return out;
}

import { readFile } from 'node:fs/promises';
import { ArchpinError } from '../core/errors.js';
import { DOCKER_HUB_ALIASES } from '../core/image-ref.js';

export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
  /**
   * An identity token (`identitytoken` in config.json, or a helper's `Username: "<token>"`): an OAuth2 refresh
   * token, traded at the token realm for access tokens; `password` is empty then and no Basic header is sent.
   */
  readonly identityToken?: string;
}

/** The user name Docker's helpers give with an identity token. */
export const IDENTITY_TOKEN_USER = '<token>';

/** `https://index.docker.io/v1/` → `docker.io`; `https://registry.example.com:5000/` → `registry.example.com:5000`. */
export function normaliseAuthKey(key: string): string {
  const host = key
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return DOCKER_HUB_ALIASES.has(host) ? 'docker.io' : host;
}

/**
 * Parses the `auths` of a Docker `config.json`: `identitytoken` (an OAuth2 refresh token), else `auth` (base64
 * `user:pass`) or `username`/`password`. Entries without usable credentials are left out; helpers are not consulted.
 */
export function parseDockerConfigAuths(text: string): ReadonlyMap<string, RegistryCredentials> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ArchpinError('config-invalid', 'Docker config is not valid JSON', { cause: error });
  }
  const result = new Map<string, RegistryCredentials>();
  const auths = isRecord(parsed) ? parsed['auths'] : undefined;
  if (!isRecord(auths)) return result;
  for (const [key, entry] of Object.entries(auths)) {
    if (!isRecord(entry)) continue;
    const credentials = entryCredentials(entry);
    if (credentials !== null) result.set(normaliseAuthKey(key), credentials);
  }
  return result;
}

/** What a Docker `config.json` says about credentials: inline `auths`, the default `credsStore`, per-host `credHelpers`. */
export interface DockerCredentialConfig {
  readonly auths: ReadonlyMap<string, RegistryCredentials>;
  readonly credsStore: string | null;
  /** Registry name (normalised as the auths keys) → helper name. */
  readonly credHelpers: ReadonlyMap<string, string>;
}

export function parseDockerConfig(text: string): DockerCredentialConfig {
  const auths = parseDockerConfigAuths(text);
  const parsed = JSON.parse(text) as unknown;
  const record = isRecord(parsed) ? parsed : {};
  const store = record['credsStore'];
  const helpers = new Map<string, string>();
  if (isRecord(record['credHelpers'])) {
    for (const [key, name] of Object.entries(record['credHelpers'])) {
      if (typeof name === 'string' && name !== '') helpers.set(normaliseAuthKey(key), name);
    }
  }
  return { auths, credsStore: typeof store === 'string' && store !== '' ? store : null, credHelpers: helpers };
}

/** Reads a Docker config file with its helpers; a missing file means no credentials. */
export async function readDockerConfig(path: string): Promise<DockerCredentialConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { auths: new Map(), credsStore: null, credHelpers: new Map() };
    throw new ArchpinError('file-unreadable', `cannot read Docker config ${path}`, { cause: error });
  }
  return parseDockerConfig(text);
}

/** Reads and parses a Docker config file; a missing file means no credentials. */
export async function readDockerConfigAuths(path: string): Promise<ReadonlyMap<string, RegistryCredentials>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new ArchpinError('file-unreadable', `cannot read Docker config ${path}`, { cause: error });
  }
  return parseDockerConfigAuths(text);
}

function entryCredentials(entry: Record<string, unknown>): RegistryCredentials | null {
  const identityToken = entry['identitytoken'];
  if (typeof identityToken === 'string' && identityToken !== '') {
    const named = typeof entry['username'] === 'string' && entry['username'] !== '' ? entry['username'] : IDENTITY_TOKEN_USER;
    return { username: named, password: '', identityToken };
  }
  const auth = entry['auth'];
  if (typeof auth === 'string' && auth !== '') {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const { username, password } = entry;
  if (typeof username === 'string' && username !== '' && typeof password === 'string') return { username, password };
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

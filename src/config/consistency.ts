/**
 * Settings that are each valid but do not go together: what `config validate` refuses because
 * check, run or serve would ignore part of it without a word.
 */
import type { RegistryCredentialKeys } from '../core/registry-credential-keys.js';

export interface ConsistencyIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /** Point at the key rather than its value (a registry host that is not a host). */
  readonly at?: 'key';
}

const given = (entry: RegistryCredentialKeys, keys: ReadonlyArray<keyof RegistryCredentialKeys>): Array<keyof RegistryCredentialKeys> => keys.filter((key) => entry[key] !== undefined);

/** One registry's credential keys: one source each, and a password only with a user name. */
export function registryEntryIssues(entry: RegistryCredentialKeys): ConsistencyIssue[] {
  const issues: ConsistencyIssue[] = [];
  const both = (first: keyof RegistryCredentialKeys, second: keyof RegistryCredentialKeys) => {
    if (entry[first] !== undefined && entry[second] !== undefined) issues.push({ path: [second], message: `set ${first} or ${second}, not both` });
  };
  both('username', 'usernameEnv');
  both('passwordEnv', 'passwordFile');
  both('tokenEnv', 'tokenFile');
  const [password] = given(entry, ['passwordEnv', 'passwordFile']);
  const [token] = given(entry, ['tokenEnv', 'tokenFile']);
  const [user] = given(entry, ['username', 'usernameEnv']);
  if (password !== undefined && token !== undefined) {
    issues.push({ path: [token], message: `${password} and ${token} are both set, and only the password would be used; keep one` });
  }
  const secret = password ?? token;
  if (entry.credentialHelper !== undefined && secret !== undefined) {
    issues.push({ path: ['credentialHelper'], message: `the helper would never be asked, as ${secret} is set; keep one` });
  }
  if (password !== undefined && user === undefined) {
    issues.push({ path: [password], message: `a password needs username or usernameEnv (for a bare token use ${password === 'passwordEnv' ? 'tokenEnv' : 'tokenFile'})` });
  }
  if (user !== undefined && secret === undefined) {
    issues.push({
      path: [user],
      message: `${user} is used only with passwordEnv, passwordFile, tokenEnv or tokenFile${entry.credentialHelper === undefined ? '' : ' (the credential helper gives its own)'}`,
    });
  }
  return issues;
}

const DOCKER_HUB_ALIASES = ['index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'];
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?::\d{1,5})?$|^\[[0-9a-f:.]+\](?::\d{1,5})?$/;

/** A key of `registries` or `mirrors`: a registry host as image references name it (`ghcr.io`, `localhost:5000`). */
export function registryHostProblem(key: string): string | null {
  if (HOST.test(key)) {
    return DOCKER_HUB_ALIASES.includes(key) ? `Docker Hub is "docker.io" here (image references on ${key} are looked up as docker.io)` : null;
  }
  const host = key
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return HOST.test(host) && host !== key ? `not a registry host; write "${host}"` : 'not a registry host such as "ghcr.io" or "localhost:5000"';
}

const record = (value: unknown): Readonly<Record<string, unknown>> => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/** Across sections: registry hosts, Docker Hub-only keys, the forge's targets, chain rebuilds. */
export function configIssues(input: unknown): ConsistencyIssue[] {
  const config = record(input);
  const issues: ConsistencyIssue[] = [];
  for (const section of ['registries', 'mirrors'] as const) {
    for (const key of Object.keys(record(config[section]))) {
      const problem = registryHostProblem(key);
      if (problem !== null) issues.push({ path: [section, key], message: problem, at: 'key' });
    }
  }
  for (const [host, entry] of Object.entries(record(config.registries))) {
    if (record(entry).hubApiUrl !== undefined && host !== 'docker.io') issues.push({ path: ['registries', host, 'hubApiUrl'], message: 'only registries."docker.io" uses hubApiUrl' });
  }
  const forge = record(config.forge);
  if (forge.type === 'gitlab' || forge.type === 'github') {
    const foreign = forge.type === 'gitlab' ? ['owners', 'repositories'] : ['groups', 'projects', 'rateLimits'];
    for (const key of foreign) {
      // Empty lists say nothing (the example config shows every key).
      const value = forge[key];
      if (value !== undefined && (Array.isArray(value) ? value.length > 0 : Object.keys(record(value)).length > 0)) {
        issues.push({
          path: ['forge', key],
          message: `${key} is for ${forge.type === 'gitlab' ? 'GitHub' : 'GitLab'}, and forge.type is "${forge.type}"; ${forge.type === 'gitlab' ? 'GitLab takes groups and projects' : 'GitHub takes owners and repositories'}`,
        });
      }
    }
    if (record(config.chain).rebuild === true && forge.type !== 'gitlab')
      issues.push({ path: ['chain', 'rebuild'], message: 'chain.rebuild needs a GitLab forge (Pipeline Hooks and the pipeline API)' });
  }
  return issues;
}

/**
 * Where a registry's credentials come from, first match wins:
 * 1. `registries.<host>` in archpin's config: `passwordEnv`/`passwordFile` or `tokenEnv`/`tokenFile`
 *    (with `username`/`usernameEnv`, else the registry kind's token user), then `credentialHelper`;
 * 2. Docker's `config.json`: `credHelpers.<host>`, then inline `auths`, then `credsStore`.
 * Each registry is resolved once per run (a helper runs at most once per host).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ArchpinError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import type { RegistryCredentialKeys } from '../core/registry-credential-keys.js';
import type { RegistryKind } from '../core/registry-kind.js';
import { runCredentialHelper } from './credential-helper.js';
import { readDockerConfig, type DockerCredentialConfig, type RegistryCredentials } from './docker-config.js';
import { kindFromHost, registryProfile } from './registry-profile.js';

/** The secret a `passwordFile`/`tokenFile` holds: its text without the one trailing newline editors add. */
export function secretFromFile(text: string): string {
  return text.replace(/\r?\n$/, '');
}

export interface RegistryCredentialConfig extends RegistryCredentialKeys {
  readonly kind?: RegistryKind | undefined;
}

export interface CredentialSources {
  readonly registries: Readonly<Record<string, RegistryCredentialConfig>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory of Docker's config.json ($DOCKER_CONFIG or ~/.docker). */
  readonly dockerConfigDir: string;
  /** Relative file paths resolve against it. */
  readonly cwd: string;
  readonly helperTimeoutMs?: number;
}

export type CredentialResolver = (registry: string) => Promise<RegistryCredentials | null>;

/** Docker passes Docker Hub to helpers under its legacy index URL, other registries by host. */
function helperServerUrl(registry: string): string {
  return registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry;
}

export async function createCredentialResolver(sources: CredentialSources): Promise<CredentialResolver> {
  let docker: DockerCredentialConfig = { auths: new Map(), credsStore: null, credHelpers: new Map() };
  try {
    docker = await readDockerConfig(path.join(sources.dockerConfigDir, 'config.json'));
  } catch {
    // no Docker config, or unreadable: anonymous unless archpin's config says otherwise
  }
  const memo = new Map<string, Promise<RegistryCredentials | null>>();
  const helper = (name: string, registry: string) =>
    runCredentialHelper(name, helperServerUrl(registry), { env: sources.env, ...(sources.helperTimeoutMs === undefined ? {} : { timeoutMs: sources.helperTimeoutMs }) });

  const readSecretFile = async (file: string, registry: string): Promise<string> => {
    try {
      return secretFromFile(await readFile(path.resolve(sources.cwd, file), 'utf8'));
    } catch (error) {
      throw new ArchpinError('config-invalid', `registries."${registry}": cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };

  async function resolve(registry: string): Promise<RegistryCredentials | null> {
    const configured = sources.registries[registry];
    if (configured !== undefined) {
      const username = configured.usernameEnv ? sources.env[configured.usernameEnv] : configured.username;
      const password = configured.passwordEnv ? sources.env[configured.passwordEnv] : configured.passwordFile ? await readSecretFile(configured.passwordFile, registry) : undefined;
      if (password && username) return { username, password };
      const token = configured.tokenEnv ? sources.env[configured.tokenEnv] : configured.tokenFile ? await readSecretFile(configured.tokenFile, registry) : undefined;
      if (token) {
        const kind = configured.kind ?? kindFromHost(registry);
        return { username: username || registryProfile(kind).tokenUsername, password: token };
      }
      if (configured.credentialHelper) return helper(configured.credentialHelper, registry);
    }
    const perHost = docker.credHelpers.get(registry);
    if (perHost !== undefined) return helper(perHost, registry);
    const inline = docker.auths.get(registry);
    if (inline !== undefined) return inline;
    // The default store is asked about every registry; when it cannot answer, the registry is tried anonymously.
    if (docker.credsStore !== null) return helper(docker.credsStore, registry).catch(() => null);
    return null;
  }

  for (const credentials of docker.auths.values()) {
    registerSecret(credentials.password);
    registerSecret(credentials.identityToken);
  }
  return (registry) => {
    let known = memo.get(registry);
    if (known === undefined) {
      // Every secret found is registered for redaction before anything can print it.
      known = resolve(registry).then((credentials) => {
        registerSecret(credentials?.password);
        registerSecret(credentials?.identityToken);
        return credentials;
      });
      memo.set(registry, known);
    }
    return known;
  };
}

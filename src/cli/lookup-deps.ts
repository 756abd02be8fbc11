import os from 'node:os';
import path from 'node:path';
import { imagePolicy } from '../config/image-policy.js';
import type { Config } from '../config/schema.js';
import { evaluateCandidate, platformsOf, selectPlatformEntry } from '../gate/gate.js';
import { readDockerConfigAuths, type RegistryCredentials } from '../lookup/docker-config.js';
import type { FindUpdatesDeps } from '../lookup/find-updates.js';
import { openFirstSeenStore, type FirstSeenStore } from '../lookup/first-seen-store.js';
import type { ManifestSource } from '../lookup/manifest-source.js';
import { createRegistryClient, type RegistryClient } from '../lookup/registry-client.js';
import type { CliIo } from './io.js';

export interface LookupSetup {
  readonly client: RegistryClient;
  readonly deps: FindUpdatesDeps;
  readonly firstSeen: FirstSeenStore;
}

/** `--cache-dir`, else config `cacheDir`, else `$XDG_CACHE_HOME/archpin` or `~/.cache/archpin`. */
export function cacheDirectory(flag: string | undefined, config: Config, io: CliIo): string {
  if (flag) return path.resolve(io.cwd, flag);
  if (config.cacheDir) return path.resolve(io.cwd, config.cacheDir);
  const base = io.env.XDG_CACHE_HOME || path.join(io.env.HOME || os.homedir(), '.cache');
  return path.join(base, 'archpin');
}

async function credentialsResolver(config: Config, io: CliIo): Promise<(registry: string) => RegistryCredentials | null> {
  const dockerConfigDir = io.env.DOCKER_CONFIG || path.join(io.env.HOME || os.homedir(), '.docker');
  let dockerAuths: ReadonlyMap<string, RegistryCredentials> = new Map();
  try {
    dockerAuths = await readDockerConfigAuths(path.join(dockerConfigDir, 'config.json'));
  } catch {
    // no Docker config, or unreadable: anonymous unless archpin's config says otherwise
  }
  return (registry) => {
    const configured = config.registries?.[registry];
    if (configured?.passwordEnv) {
      const password = io.env[configured.passwordEnv];
      const username = configured.usernameEnv ? io.env[configured.usernameEnv] : configured.username;
      if (password && username) return { username, password };
    }
    return dockerAuths.get(registry) ?? null;
  };
}

export async function lookupSetup(config: Config, io: CliIo, options: { cacheDir: string; platforms?: readonly string[] | undefined; onProgress?: (done: number, total: number) => void }): Promise<LookupSetup> {
  const registries = config.registries ?? {};
  const client = createRegistryClient({
    credentials: await credentialsResolver(config, io),
    trustedRealmHosts: Object.fromEntries(Object.entries(registries).map(([host, entry]) => [host, entry.trustedRealmHosts ?? []])),
    mirrors: config.mirrors ?? {},
    insecure: Object.entries(registries).filter(([, entry]) => entry.insecure).map(([host]) => host),
    cacheDir: options.cacheDir,
    now: io.now,
  });
  const firstSeen = await openFirstSeenStore(options.cacheDir);
  const source: ManifestSource = {
    listTags: (image) => client.listTags(image),
    manifestByTag: (image, tag) => client.resolveManifest(image, tag),
    manifestByDigest: (image, digest) => client.getManifest(image, digest),
    blob: (image, digest, maxBytes) => client.getBlob(image, digest, { maxBytes }),
  };
  const deps: FindUpdatesDeps = {
    source,
    evaluate: evaluateCandidate,
    platformsOf,
    selectPlatformEntry,
    policyFor: (key) => imagePolicy(config, key, options.platforms),
    firstSeen,
    now: io.now,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  return { client, deps, firstSeen };
}

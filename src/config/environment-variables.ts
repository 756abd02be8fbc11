import { formatPath } from './config-path.js';
import { DEFAULTS } from './defaults.js';
import type { Config } from './schema.js';

/** A setting that names an environment variable. */
export interface VariableUse {
  readonly path: readonly PropertyKey[];
  readonly variable: string;
  /** How the message names the setting, when it is not the path itself (a default variable). */
  readonly setting?: string;
}

/** The variables `registries.<host>` reads its credentials from. */
export function credentialVariables(config: Config): VariableUse[] {
  return Object.entries(config.registries ?? {}).flatMap(([host, entry]) =>
    (['usernameEnv', 'passwordEnv', 'tokenEnv'] as const).flatMap((key) => {
      const variable = entry[key];
      return variable === undefined ? [] : [{ path: ['registries', host, key], variable }];
    }),
  );
}

/** Every variable the config names, and the forge token's default one when a forge is configured. */
export function configVariables(config: Config): VariableUse[] {
  const forge = config.forge;
  const forgeToken: VariableUse[] =
    forge === undefined
      ? []
      : forge.tokenEnv !== undefined
        ? [{ path: ['forge', 'tokenEnv'], variable: forge.tokenEnv }]
        : [{ path: ['forge', 'type'], variable: DEFAULTS.forgeTokenEnv[forge.type], setting: `forge.type "${forge.type}" reads its token from` }];
  const serve = config.serve;
  return [
    ...credentialVariables(config),
    ...forgeToken,
    ...(serve?.webhookSecretEnv === undefined ? [] : [{ path: ['serve', 'webhookSecretEnv'], variable: serve.webhookSecretEnv }]),
    ...(serve?.queue?.redisPasswordEnv === undefined ? [] : [{ path: ['serve', 'queue', 'redisPasswordEnv'], variable: serve.queue.redisPasswordEnv }]),
  ];
}

/** `registries."ghcr.io".tokenEnv names GHCR_TOKEN, which is not set`; null when the variable has a value. */
export function unsetVariableMessage(use: VariableUse, env: Readonly<Record<string, string | undefined>>): string | null {
  const value = env[use.variable];
  if (value !== undefined && value !== '') return null;
  return `${use.setting ?? `${formatPath(use.path)} names`} ${use.variable}, which is ${value === undefined ? 'not set' : 'empty'}`;
}

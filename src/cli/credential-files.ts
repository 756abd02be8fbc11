import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatPath } from '../config/config-path.js';
import type { Config } from '../config/schema.js';
import { errnoReason } from '../core/errno-reason.js';
import { secretFromFile } from '../lookup/credential-resolver.js';

/** A `registries.<host>` secret file that cannot give a secret: where it is named, and why. */
export interface CredentialFileProblem {
  readonly path: readonly PropertyKey[];
  /** `registries."docker.io".passwordFile names /run/secrets/hub, which cannot be read (no such file)`. */
  readonly message: string;
}

/**
 * Reads each `passwordFile` and `tokenFile` (relative to `cwd`, as the credential resolver does) and names those that
 * cannot be read or hold nothing once the trailing newline is dropped: the registry would otherwise be met with an
 * empty secret or the error only at its first lookup.
 */
export function credentialFileProblems(config: Config, cwd: string): CredentialFileProblem[] {
  return Object.entries(config.registries ?? {}).flatMap(([host, entry]) =>
    (['passwordFile', 'tokenFile'] as const).flatMap((key): CredentialFileProblem[] => {
      const file = entry[key];
      if (file === undefined) return [];
      const where = ['registries', host, key];
      let text: string;
      try {
        text = readFileSync(path.resolve(cwd, file), 'utf8');
      } catch (error) {
        return [{ path: where, message: `${formatPath(where)} names ${file}, which cannot be read (${errnoReason(error)})` }];
      }
      return secretFromFile(text) === '' ? [{ path: where, message: `${formatPath(where)} names ${file}, which is empty` }] : [];
    }),
  );
}

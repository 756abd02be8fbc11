/**
 * Where `scan`, `check` and `audit` read the files a GitLab pipeline includes from other projects and
 * GitLab's templates: through the GitLab forge of the config when it has a URL and its token variable is
 * set, as `run` reads them; otherwise nowhere, with the reason each such include is named with.
 */
import type { CiIncludeReader } from '../apply/forges/forge.js';
import { DEFAULTS } from '../config/defaults.js';
import type { Config } from '../config/schema.js';
import type { CliIo } from './io.js';

export type CiIncludeSource = { readonly reader: CiIncludeReader } | { readonly notAsked: string };

export async function ciIncludeSource(config: Config, io: CliIo): Promise<CiIncludeSource> {
  const forge = config.forge;
  const defaultTokenEnv = DEFAULTS.forgeTokenEnv.gitlab;
  if (forge === undefined) return { notAsked: `no GitLab forge in the config to read it through (forge.type "gitlab", forge.url, and a token in ${defaultTokenEnv})` };
  if (forge.type !== 'gitlab') return { notAsked: "the config's forge is GitHub; includes are read through a GitLab forge" };
  if (forge.url === undefined) return { notAsked: "the config's GitLab forge has no url" };
  const tokenEnv = forge.tokenEnv ?? defaultTokenEnv;
  if (!io.env[tokenEnv]) return { notAsked: `${tokenEnv} is not set (the token of the config's GitLab forge)` };
  // Loaded only here: a scan without a forge does not load the forge client.
  const reader = await (await import('./make-forge.js')).configuredIncludeReader(config, io);
  return reader === null ? { notAsked: "the config's GitLab forge cannot read files" } : { reader };
}

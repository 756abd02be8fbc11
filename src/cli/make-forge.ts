import type { CiIncludeReader, Forge, ForgeTargets, ForgeType } from '../apply/forges/forge.js';
import { createRateBudget, memoryRateStore, type RateBudget, type RateStore } from '../apply/forges/rate-budget.js';
import { DEFAULTS } from '../config/defaults.js';
import type { Config } from '../config/schema.js';
import { ArchpinError } from '../core/errors.js';
import type { ParsedArgs } from './args.js';
import { scaledSleep, type CliIo } from './io.js';
import { registerSecret } from '../core/redact.js';

export interface ForgeSetup {
  readonly forge: Forge;
  readonly targets: ForgeTargets;
  readonly tokenEnv: string;
  /** The token read from tokenEnv (never empty). */
  readonly token: string;
  /** The forge's API base as given (GitLab always has one; GitHub defaults to api.github.com). */
  readonly url: string | undefined;
  /** The token's request budget (shared with other workers when its store is). */
  readonly budget: RateBudget;
}

/** GitLab.com's general limit for authenticated API calls, per user. */
const GITLAB_COM_PER_MINUTE = 2000;

/**
 * The forge from flags (which win) and config; the token from the environment variable it names. Only the
 * configured forge's client is loaded.
 */
export async function makeForge(
  args: Pick<ParsedArgs, 'forge' | 'url' | 'groups' | 'projects' | 'owners' | 'repositories'>,
  config: Config,
  io: CliIo,
  rateStore: (token: string) => RateStore = () => memoryRateStore(),
): Promise<ForgeSetup> {
  const type = (args.forge ?? config.forge?.type) as ForgeType | undefined;
  if (type !== 'gitlab' && type !== 'github') {
    throw new ArchpinError('usage', 'no forge: pass --forge gitlab|github or set "forge": {"type": …} in the config');
  }
  const fromConfig = config.forge?.type === type ? config.forge : undefined;
  const tokenEnv = fromConfig?.tokenEnv ?? DEFAULTS.forgeTokenEnv[type];
  const token = io.env[tokenEnv];
  registerSecret(token);
  if (!token)
    throw new ArchpinError(
      'usage',
      `no token: set ${tokenEnv} (GitLab: a group or project access token with role Developer and scope api; GitHub: a token with contents, pull requests and issues write)`,
    );
  const url = args.url ?? fromConfig?.url;
  const targets: ForgeTargets =
    type === 'gitlab'
      ? { groups: args.groups.length ? args.groups : (fromConfig?.groups ?? []), projects: args.projects.length ? args.projects : (fromConfig?.projects ?? []) }
      : { owners: args.owners.length ? args.owners : (fromConfig?.owners ?? []), repositories: args.repositories.length ? args.repositories : (fromConfig?.repositories ?? []) };
  if (Object.values(targets).every((list: readonly string[]) => list.length === 0)) {
    throw new ArchpinError(
      'usage',
      type === 'gitlab' ? 'no targets: pass --group or --project, or set forge.groups / forge.projects' : 'no targets: pass --owner or --repo, or set forge.owners / forge.repositories',
    );
  }
  const onGitlabCom = type === 'gitlab' && url !== undefined && /^https?:\/\/(www\.)?gitlab\.com(\/|$)/i.test(url);
  const budget = createRateBudget({ store: rateStore(token), perMinute: fromConfig?.requestsPerMinute ?? (onGitlabCom ? GITLAB_COM_PER_MINUTE : 0) });
  if (type === 'gitlab') {
    if (!url) throw new ArchpinError('usage', 'GitLab needs --url or forge.url (e.g. https://gitlab.example.com)');
    const sleep = scaledSleep(io.waits);
    const { createGitlabForge } = await import('../apply/forges/gitlab.js');
    return {
      forge: createGitlabForge({ url, token, tokenEnv, budget, ...(fromConfig?.rateLimits ? { rateLimits: fromConfig.rateLimits } : {}), ...(sleep ? { sleep } : {}) }),
      targets,
      tokenEnv,
      token,
      url,
      budget,
    };
  }
  const waitScaleMs = io.waits?.msPerSecond;
  const { createGithubForge } = await import('../apply/forges/github.js');
  return { forge: createGithubForge({ token, budget, url: url ?? DEFAULTS.githubApiUrl, ...(waitScaleMs === undefined ? {} : { waitScaleMs }) }), targets, tokenEnv, token, url, budget };
}

/**
 * `scan`, `check` and `audit` read the files CI includes from other projects and GitLab's templates when the config names a
 * GitLab forge with a URL and its token variable is set; otherwise null (such includes are listed as not read).
 */
export async function configuredIncludeReader(config: Config, io: CliIo): Promise<CiIncludeReader | null> {
  const forge = config.forge;
  if (forge?.type !== 'gitlab' || forge.url === undefined) return null;
  const tokenEnv = forge.tokenEnv ?? DEFAULTS.forgeTokenEnv.gitlab;
  const token = io.env[tokenEnv];
  if (!token) return null;
  registerSecret(token);
  const sleep = scaledSleep(io.waits);
  const { createGitlabForge } = await import('../apply/forges/gitlab.js');
  return createGitlabForge({ url: forge.url, token, tokenEnv, ...(forge.rateLimits ? { rateLimits: forge.rateLimits } : {}), ...(sleep ? { sleep } : {}) }).ciIncludes ?? null;
}

/** The commands archpin knows. */
export const COMMANDS = ['scan', 'check', 'audit', 'run', 'serve', 'config', 'graph', 'chain', 'inspect'] as const;
export type CommandName = (typeof COMMANDS)[number];

export const STRING_OPTIONS = [
  'config',
  'format',
  'platforms',
  'log-level',
  'listen',
  'schedule',
  'shard',
  'concurrency',
  'role',
  'cache-dir',
  'forge',
  'url',
  'group',
  'project',
  'owner',
  'repo',
  'tags',
] as const;
export const BOOLEAN_OPTIONS = ['write', 'diff', 'exit-code', 'dry-run', 'help', 'version'] as const;

const FORGE = ['forge', 'url', 'group', 'project', 'owner', 'repo'];
const EVERYWHERE = ['config', 'log-level', 'help', 'version'];

/** The options each command reads; anything else given to it is an error, not silently ignored. */
const ACCEPTS: Readonly<Record<CommandName, readonly string[]>> = {
  scan: ['format'],
  check: ['format', 'platforms', 'write', 'diff', 'exit-code', 'cache-dir'],
  audit: ['format', 'platforms', 'cache-dir'],
  run: ['format', 'platforms', 'dry-run', 'cache-dir', 'shard', 'concurrency', ...FORGE],
  serve: ['platforms', 'dry-run', 'cache-dir', 'listen', 'schedule', 'role', ...FORGE],
  graph: ['format', ...FORGE],
  chain: ['format', 'dry-run', ...FORGE],
  config: [],
  inspect: ['format', 'platforms', 'cache-dir', 'tags'],
};

export function commandAccepts(command: CommandName, option: string): boolean {
  return EVERYWHERE.includes(option) || ACCEPTS[command].includes(option);
}

export const COMMAND_ARGUMENTS: Readonly<Record<CommandName, { readonly max: number; readonly text: string }>> = {
  scan: { max: 1, text: 'at most one directory' },
  check: { max: 1, text: 'at most one directory' },
  audit: { max: 1, text: 'at most one directory' },
  graph: { max: 1, text: 'at most one directory' },
  run: { max: 0, text: 'no arguments (targets come from --group/--project/--owner/--repo or the config)' },
  serve: { max: 0, text: 'no arguments (targets come from --group/--project/--owner/--repo or the config)' },
  chain: { max: 2, text: '"trigger ROOT"' },
  config: { max: 2, text: '"validate FILE"' },
  inspect: { max: 1, text: 'one image: IMAGE[:TAG|@DIGEST]' },
};

const OPTION_HELP: Readonly<Record<string, string>> = {
  config: '--config FILE           config file (default: archpin.json or .archpin.json in the directory)',
  format: '--format text|json      output format (default text)',
  platforms: '--platforms LIST        required platforms, comma-separated without spaces: linux/amd64,linux/arm64',
  write: '--write                 apply the edits to the working tree',
  'exit-code': '--exit-code             exit 4 when updates are available (0 when there are none)',
  diff: '--diff                  print the unified diff',
  'cache-dir': '--cache-dir DIR         manifest and first-seen cache',
  'dry-run': '--dry-run               print the changes it would make, write nothing',
  forge: '--forge gitlab|github   forge type (else from the config)',
  url: '--url URL               forge API base URL',
  group: '--group G, --project P  GitLab targets (repeatable)',
  owner: '--owner O, --repo R     GitHub targets (repeatable)',
  listen: '--listen HOST:PORT      address for webhooks, /healthz, /readyz, /metrics (default 0.0.0.0:8080)',
  schedule: '--schedule CRON         cron pattern of full sweeps (default "0 * * * *")',
  shard: '--shard I/N             only the I-th of N shards of the repositories',
  role: '--role ROLE             with serve.queue.redisUrl: all (default), scheduler or worker',
  concurrency: '--concurrency N         repositories processed at once (default 4)',
  'log-level': '--log-level LEVEL       trace|debug|info|warn|error|silent',
  tags: '--tags N                the newest N tags as a matrix (tag x platform) with verdicts',
};

const SYNOPSIS: Readonly<Record<CommandName, string>> = {
  scan: 'archpin scan [dir]\n\nList the image references under dir (default .), with skip reasons.',
  check: 'archpin check [dir]\n\nLook new tags up, gate them, and print the updates, the held-back candidates and the errors.\nExit 0 done, 1 some lookups or writes failed, 2 usage or config error.',
  audit: 'archpin audit [dir]\n\nGate the digests already pinned under dir. Exit 3 when any pin is unsafe.',
  run: 'archpin run\n\nOpen and update merge requests or pull requests for the forge targets.',
  serve: 'archpin serve\n\nLong-running bot: scheduled sweeps, webhooks, /healthz, /readyz, /metrics.',
  graph: 'archpin graph [dir]\n\nThe image-chain graph in build order (local checkouts in dir, else the forge targets).\n--format also takes dot and mermaid.',
  chain: 'archpin chain trigger ROOT\n\nTrigger the pipelines of the projects built on ROOT.',
  config: 'archpin config validate FILE\n\nCheck a config file as run and serve would read it.',
  inspect:
    "archpin inspect IMAGE[:TAG|@DIGEST]\n\nThe index, each platform's child (verified), attestations, and the gate's verdict.\nExit 3 when the gate refuses the image, 1 when the registry could not be read.",
};

/** `archpin <command> --help`. */
export function commandHelp(command: CommandName): string {
  const options = [...ACCEPTS[command], ...EVERYWHERE]
    .filter((option) => option !== 'help' && option !== 'version' && option !== 'project' && option !== 'repo')
    .map((option) => `  ${OPTION_HELP[option]}`);
  return `Usage: ${SYNOPSIS[command]}\n\nOptions:\n${options.join('\n')}\n  -h, --help              this help\n`;
}

import { parseArgs } from 'node:util';
import { ArchpinError } from '../core/errors.js';
import { checkPlatform, nearest } from '../core/platform-vocabulary.js';
import { BOOLEAN_OPTIONS, COMMAND_ARGUMENTS, commandAccepts, COMMANDS, STRING_OPTIONS, type CommandName } from './command-options.js';

export { COMMANDS, type CommandName } from './command-options.js';
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ParsedArgs {
  readonly command: CommandName | 'help' | 'version';
  readonly positionals: readonly string[];
  readonly config: string | undefined;
  readonly format: 'text' | 'json';
  /** graph: the output format, which may also be dot or mermaid. */
  readonly graphFormat: 'text' | 'json' | 'dot' | 'mermaid';
  readonly platforms: readonly string[] | undefined;
  readonly logLevel: LogLevel;
  /** Whether --log-level was on the command line (else the command picks its default). */
  readonly logLevelGiven: boolean;
  readonly write: boolean;
  readonly diff: boolean;
  /** check: exit 4 when updates are available. */
  readonly exitCode: boolean;
  readonly dryRun: boolean;
  readonly cacheDir: string | undefined;
  readonly forge: string | undefined;
  readonly url: string | undefined;
  readonly groups: readonly string[];
  readonly projects: readonly string[];
  readonly owners: readonly string[];
  readonly repositories: readonly string[];
  /** serve: `host:port` to listen on. */
  readonly listen: string | undefined;
  /** serve: cron pattern of full sweeps. */
  readonly schedule: string | undefined;
  /** run: `I/N`, this process's share of the repositories. */
  readonly shard: string | undefined;
  /** run: repositories processed at once. */
  readonly concurrency: number | undefined;
  /** serve with a Redis queue: what this replica does. */
  readonly role: 'all' | 'scheduler' | 'worker';
  /** help: the command whose help was asked for (`archpin check --help`). */
  readonly helpFor?: CommandName;
  /** inspect: the newest N tags as a matrix. */
  readonly tags: number | undefined;
}

function emptyArgs(): Omit<ParsedArgs, 'command'> {
  return {
    positionals: [],
    config: undefined,
    format: 'text',
    graphFormat: 'text',
    platforms: undefined,
    logLevel: 'info',
    logLevelGiven: false,
    write: false,
    diff: false,
    exitCode: false,
    dryRun: false,
    cacheDir: undefined,
    forge: undefined,
    url: undefined,
    groups: [],
    projects: [],
    owners: [],
    repositories: [],
    listen: undefined,
    schedule: undefined,
    shard: undefined,
    concurrency: undefined,
    tags: undefined,
    role: 'all',
  };
}

/** Options that are not archpin's, named in archpin's words with the nearest real one. */
function checkOptionNames(argv: readonly string[]): void {
  const known: readonly string[] = [...STRING_OPTIONS, ...BOOLEAN_OPTIONS];
  for (const token of argv) {
    if (token === '--') break;
    if (!token.startsWith('-') || token === '-') continue;
    if (/^-[hv]$/.test(token)) continue;
    const [name = null] = token.startsWith('--') ? token.slice(2).split('=') : [];
    if (name !== null && known.includes(name)) continue;
    const guess = nearest(name ?? token.slice(1), known);
    throw new ArchpinError('usage', `unknown option ${token.split('=')[0]}${guess ? `; did you mean --${guess}?` : optionsOf(argv)}`);
  }
}

/** With no near option to suggest: the options the command on this line takes, or where the commands are listed. */
function optionsOf(argv: readonly string[]): string {
  const command = COMMANDS.find((name) => name === argv.find((token) => !token.startsWith('-')));
  if (command === undefined) return '';
  const options = [...STRING_OPTIONS, ...BOOLEAN_OPTIONS].filter((option) => option !== 'version' && commandAccepts(command, option));
  return `; ${command} takes ${options.map((option) => `--${option}`).join(', ')} (see "archpin ${command} --help")`;
}

/** Extra arguments, options the command does not use, and `--platforms a, b` split by a space. */
function checkCommandLine(command: CommandName, rest: readonly string[], values: Record<string, unknown>, argv: readonly string[]): void {
  const platformsAt = argv.findIndex((token) => token === '--platforms' || token.startsWith('--platforms='));
  const platformsValue = typeof values.platforms === 'string' ? values.platforms : undefined;
  if (platformsValue !== undefined && /,\s*$/.test(platformsValue)) {
    const given = argv[platformsAt] ?? '';
    const next = argv[platformsAt + (given.includes('=') ? 1 : 2)];
    throw new ArchpinError(
      'usage',
      `--platforms "${platformsValue}" ends with a comma${next && !next.startsWith('-') ? ` and "${next}" is a separate argument` : ''}: write the list without spaces (--platforms linux/amd64,linux/arm64) or quote it`,
    );
  }
  for (const [name, value] of Object.entries(values)) {
    const given = Array.isArray(value) ? value.length > 0 : name === 'format' ? argv.some((token) => token === '--format' || token.startsWith('--format=')) : value !== undefined && value !== false;
    if (!given || name === 'help' || name === 'version') continue;
    if (!commandAccepts(command, name)) throw new ArchpinError('usage', `${command} does not use --${name}; see "archpin ${command} --help"`);
  }
  const allowed = COMMAND_ARGUMENTS[command];
  if (rest.length > allowed.max) {
    const extra = rest.slice(allowed.max);
    const looksLikePlatform = extra.find((arg) => checkPlatform(arg).ok);
    throw new ArchpinError(
      'usage',
      `${command} takes ${allowed.text}; unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((arg) => `"${arg}"`).join(' ')}${looksLikePlatform ? ` (a platform? list platforms without spaces: --platforms linux/amd64,${looksLikePlatform})` : ''}`,
    );
  }
}

export const USAGE = `Usage: archpin <command> [options]

Commands:
  scan [dir]      list image references (with skip reasons)
  check [dir]     dry-run: scan + lookup + gate + plan; prints updates, holds and errors
  audit [dir]     gate the digests already pinned; exit 3 when any is unsafe
  run             open/update merge requests or pull requests on the configured forge
  serve           long-running bot: schedule, webhooks, health endpoints
  inspect IMAGE[:TAG|@DIGEST]   the index, each platform's child (verified), attestations, the gate's verdict; --tags N matrix
  graph [dir]     the image-chain graph in build order (local checkouts in dir, else the forge targets)
  chain trigger ROOT   trigger the pipelines of the projects built on ROOT (through the forge)
  config validate FILE   check a config file

Options:
  --config FILE           config file (default: archpin.json or .archpin.json in dir)
  --format text|json      output format (default text; graph also takes dot and mermaid)
  --platforms LIST        required platforms, e.g. linux/amd64,linux/arm64
  --write                 check: apply the edits to the working tree
  --diff                  check: print the unified diff
  --cache-dir DIR         manifest and first-seen cache
  --dry-run               run, serve: print the changes it would make, write nothing
  --forge gitlab|github   run, serve: forge type (else from config)
  --url URL               run, serve: forge API base URL
  --group G, --project P  run, serve (GitLab): targets (repeatable)
  --owner O, --repo R     run, serve (GitHub): targets (repeatable)
  --listen HOST:PORT      serve: address for webhooks, /healthz, /readyz, /metrics (default 0.0.0.0:8080)
  --schedule CRON         serve: cron pattern of full sweeps (default "0 * * * *")
  --shard I/N             run: only the I-th of N shards of the repositories (default from CI_NODE_INDEX/CI_NODE_TOTAL)
  --tags N                inspect: the newest N tags as a matrix (tag x platform) with verdicts
  --concurrency N         run: repositories processed at once (default 4)
  --role ROLE             serve with serve.queue.redisUrl: all (default), scheduler or worker
  --log-level LEVEL       trace|debug|info|warn|error|silent (default info; run: warn unless on a terminal or in CI)
  -h, --help              this help
  -v, --version           print the version

Exit codes: 0 done; 1 completed but some lookups or writes failed; 2 usage or config error; 3 audit found unsafe pins.
`;

/** The flags and positionals of a command line, by node:util's parseArgs; a flag it refuses is a usage error naming it. */
function readOptions(argv: readonly string[]) {
  checkOptionNames(argv);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        format: { type: 'string', default: 'text' },
        platforms: { type: 'string' },
        'log-level': { type: 'string' },
        listen: { type: 'string' },
        schedule: { type: 'string' },
        shard: { type: 'string' },
        concurrency: { type: 'string' },
        tags: { type: 'string' },
        role: { type: 'string' },
        write: { type: 'boolean', default: false },
        diff: { type: 'boolean', default: false },
        'exit-code': { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        'cache-dir': { type: 'string' },
        forge: { type: 'string' },
        url: { type: 'string' },
        group: { type: 'string', multiple: true },
        project: { type: 'string', multiple: true },
        owner: { type: 'string', multiple: true },
        repo: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (error) {
    // checkOptionNames has named unknown options; what is left is a missing value, or a value given to a switch.
    const message = (error as Error).message;
    // Node names a switch with a short form as '-h, --help'.
    const option = /'(?:-\w, )?(--?[\w-]+)/.exec(message)?.[1];
    if (option && /does not take an argument/.test(message)) throw new ArchpinError('usage', `${option} takes no value; write ${option} alone`);
    throw new ArchpinError('usage', option ? `${option} needs a value` : message);
  }
  return parsed;
}

export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  const parsed = readOptions(argv);
  const { values, positionals } = parsed;
  const [first, ...rest] = positionals;
  let command: ParsedArgs['command'];
  if (values.version) command = 'version';
  else if (first === 'help' && rest[0] !== undefined && (COMMANDS as readonly string[]).includes(rest[0])) return { ...emptyArgs(), command: 'help', helpFor: rest[0] as CommandName };
  else if (first === 'help' && rest[0] !== undefined) {
    const guess = nearest(rest[0], COMMANDS);
    throw new ArchpinError('usage', `help: unknown command "${rest[0]}"; ${guess ? `did you mean "${guess}"? ` : ''}commands: ${COMMANDS.join(', ')}`);
  } else if (first === undefined || first === 'help') command = 'help';
  else if ((COMMANDS as readonly string[]).includes(first)) command = first as CommandName;
  else {
    const guess = first === 'version' ? '--version' : nearest(first, COMMANDS);
    throw new ArchpinError('usage', `unknown command "${first}"; ${guess ? `did you mean "${guess}"? ` : ''}commands: ${COMMANDS.join(', ')}`);
  }
  if (values.help && command !== 'help' && command !== 'version') return { ...emptyArgs(), command: 'help', helpFor: command };
  const rawFormat = values.format;
  const graphFormat = command === 'graph' && (rawFormat === 'dot' || rawFormat === 'mermaid') ? rawFormat : null;
  if (rawFormat !== 'text' && rawFormat !== 'json' && graphFormat === null) {
    throw new ArchpinError('usage', `--format must be text or json${command === 'graph' ? ', dot or mermaid' : ''}, not "${rawFormat}"`);
  }
  const format: 'text' | 'json' = rawFormat === 'json' ? 'json' : 'text';
  const logLevel = values['log-level'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new ArchpinError('usage', `--log-level must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}"`);
  if (command !== 'help' && command !== 'version') checkCommandLine(command, rest, values, argv);
  const platforms = platformsFlag(values.platforms);
  const concurrencyText = values.concurrency;
  if (concurrencyText !== undefined && !/^([1-9]|[1-5]\d|6[0-4])$/.test(concurrencyText)) throw new ArchpinError('usage', `--concurrency takes a number from 1 to 64, not "${concurrencyText}"`);
  const role = values.role ?? 'all';
  if (role !== 'all' && role !== 'scheduler' && role !== 'worker') throw new ArchpinError('usage', `--role must be all, scheduler or worker, not "${role}"`);
  return {
    command,
    positionals: rest,
    config: values.config,
    format,
    graphFormat: graphFormat ?? format,
    platforms,
    logLevel: logLevel as LogLevel,
    logLevelGiven: values['log-level'] !== undefined,
    write: values.write,
    diff: values.diff,
    exitCode: values['exit-code'],
    dryRun: values['dry-run'],
    cacheDir: values['cache-dir'],
    forge: values.forge,
    url: values.url,
    groups: values.group ?? [],
    projects: values.project ?? [],
    owners: values.owner ?? [],
    repositories: values.repo ?? [],
    listen: values.listen,
    schedule: values.schedule,
    shard: values.shard,
    concurrency: concurrencyText === undefined ? undefined : Number(concurrencyText),
    tags: tagsCount(values.tags),
    role,
  };
}

/** `--platforms linux/amd64,linux/arm64`: each entry os/arch[/variant] and a known platform. */
function platformsFlag(text: string | undefined): string[] | undefined {
  const platforms = text
    ?.split(',')
    .map((platform) => platform.trim())
    .filter(Boolean);
  if (platforms?.length === 0) throw new ArchpinError('usage', '--platforms needs at least one platform, e.g. --platforms linux/amd64,linux/arm64');
  const invalid = platforms?.filter((platform) => !/^[a-z0-9_-]+\/[a-z0-9_-]+(\/[a-z0-9_-]+)?$/i.test(platform)) ?? [];
  if (invalid.length > 0) throw new ArchpinError('usage', `--platforms takes os/arch[/variant] entries such as linux/amd64,linux/arm64; not ${invalid.join(', ')}`);
  const unknown = (platforms ?? []).map(checkPlatform).flatMap((check) => (check.ok ? [] : [check.message]));
  if (unknown.length > 0) throw new ArchpinError('usage', `--platforms: ${unknown.join('; ')}`);
  return platforms;
}

function tagsCount(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 100) throw new ArchpinError('usage', `--tags takes a number from 1 to 100, not "${text}"`);
  return Number(text);
}

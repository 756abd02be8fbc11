import { parseArgs } from 'node:util';
import { ArchpinError } from '../core/errors.js';

export const COMMANDS = ['scan', 'check', 'audit', 'run', 'serve', 'config'] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface ParsedArgs {
  readonly command: CommandName | 'help' | 'version';
  readonly positionals: readonly string[];
  readonly config: string | undefined;
  readonly format: 'text' | 'json';
  readonly platforms: readonly string[] | undefined;
  readonly logLevel: string;
  readonly write: boolean;
  readonly diff: boolean;
  readonly dryRun: boolean;
  readonly cacheDir: string | undefined;
  readonly forge: string | undefined;
  readonly url: string | undefined;
  readonly groups: readonly string[];
  readonly projects: readonly string[];
  readonly owners: readonly string[];
  readonly repositories: readonly string[];
}

export const USAGE = `Usage: archpin <command> [options]

Commands:
  scan [dir]      list image references (with skip reasons)
  check [dir]     dry-run: scan + lookup + gate + plan; prints updates, holds and errors
  audit [dir]     gate the digests already pinned; exit 3 when any is unsafe
  run             open/update merge requests or pull requests on the configured forge
  serve           long-running bot: schedule, webhooks, health endpoints
  config validate FILE   check a config file

Options:
  --config FILE           config file (default: archpin.json or .archpin.json in dir)
  --format text|json      output format (default text)
  --platforms LIST        required platforms, e.g. linux/amd64,linux/arm64
  --write                 check: apply the edits to the working tree
  --diff                  check: print the unified diff
  --cache-dir DIR         manifest and first-seen cache
  --dry-run               run: print the changes it would make, write nothing
  --forge gitlab|github   run: forge type (else from config)
  --url URL               run: forge API base URL
  --group G, --project P  run (GitLab): targets (repeatable)
  --owner O, --repo R     run (GitHub): targets (repeatable)
  --log-level LEVEL       trace|debug|info|warn|error (default info)
  -h, --help              this help
  -v, --version           print the version

Exit codes: 0 done; 1 completed but some lookups or writes failed; 2 usage or config error; 3 audit found unsafe pins.
`;

export function parseCliArgs(argv: readonly string[]): ParsedArgs {
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
        'log-level': { type: 'string', default: 'info' },
        write: { type: 'boolean', default: false },
        diff: { type: 'boolean', default: false },
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
    throw new ArchpinError('usage', (error as Error).message);
  }
  const { values, positionals } = parsed;
  const [first, ...rest] = positionals;
  let command: ParsedArgs['command'];
  if (values.version) command = 'version';
  else if (values.help || first === undefined || first === 'help') command = 'help';
  else if ((COMMANDS as readonly string[]).includes(first)) command = first as CommandName;
  else throw new ArchpinError('usage', `unknown command "${first}"; commands: ${COMMANDS.join(', ')}`);
  const format = values.format;
  if (format !== 'text' && format !== 'json') throw new ArchpinError('usage', `--format must be text or json, not "${format}"`);
  const platforms = values.platforms
    ?.split(',')
    .map((platform) => platform.trim())
    .filter(Boolean);
  const invalid = platforms?.filter((platform) => !/^[a-z0-9_-]+\/[a-z0-9_-]+(\/[a-z0-9_-]+)?$/i.test(platform)) ?? [];
  if (invalid.length > 0) throw new ArchpinError('usage', `--platforms takes os/arch[/variant] entries such as linux/amd64,linux/arm64; not ${invalid.join(', ')}`);
  return {
    command,
    positionals: rest,
    config: values.config,
    format,
    platforms,
    logLevel: values['log-level'],
    write: values.write,
    diff: values.diff,
    dryRun: values['dry-run'],
    cacheDir: values['cache-dir'],
    forge: values.forge,
    url: values.url,
    groups: values.group ?? [],
    projects: values.project ?? [],
    owners: values.owner ?? [],
    repositories: values.repo ?? [],
  };
}

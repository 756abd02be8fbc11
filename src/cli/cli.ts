import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from './load-config.js';
import { ArchpinError, isArchpinError } from '../core/errors.js';
import { COMMANDS, parseCliArgs, USAGE, type ParsedArgs } from './args.js';
import { EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, type CliIo, type ExitCode } from './io.js';
import { runScan } from './scan.js';

function version(): string {
  const packageJson = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}

/** The directory argument of scan, check and audit: it must exist and be a directory. */
function directoryArgument(args: ParsedArgs, io: CliIo): string {
  const directory = args.positionals[0] ?? '.';
  const full = path.resolve(io.cwd, directory);
  let stats;
  try {
    stats = statSync(full);
  } catch {
    throw new ArchpinError('usage', `${args.command}: no such directory: ${full}`);
  }
  if (!stats.isDirectory()) {
    throw new ArchpinError('usage', `${args.command}: ${directory} is a file; pass the directory that holds it (archpin ${args.command} ${path.dirname(directory)})`);
  }
  return directory;
}

async function dispatch(args: ParsedArgs, io: CliIo): Promise<ExitCode> {
  switch (args.command) {
    case 'help':
      io.stdout(args.helpFor ? (await import('./command-options.js')).commandHelp(args.helpFor) : USAGE);
      return EXIT_OK;
    case 'version':
      io.stdout(`${version()}\n`);
      return EXIT_OK;
    case 'config': {
      const [sub, file] = args.positionals;
      if (sub !== 'validate')
        throw new ArchpinError('usage', sub === undefined ? 'config needs a subcommand: archpin config validate FILE' : `config has no subcommand "${sub}"; write archpin config validate FILE`);
      if (file === undefined) throw new ArchpinError('usage', 'config validate needs the file to check: archpin config validate FILE');
      return (await import('./validate-config.js')).validateConfigFile(file, io);
    }
    case 'scan': {
      const directory = directoryArgument(args, io);
      const { config } = await loadConfig(args.config, path.resolve(io.cwd, directory), io.cwd);
      return runScan({ directory, format: args.format, config }, io);
    }
    case 'check':
    case 'audit': {
      const directory = directoryArgument(args, io);
      const { config } = await loadConfig(args.config, path.resolve(io.cwd, directory), io.cwd);
      const common = { directory, format: args.format, config, platforms: args.platforms, cacheDir: args.cacheDir };
      if (args.command === 'audit') return (await import('./audit.js')).runAudit({ ...common, logLevel: args.logLevel }, io);
      return (await import('./check.js')).runCheck({ ...common, write: args.write, diff: args.diff, exitCode: args.exitCode, logLevel: args.logLevel }, io);
    }
    case 'run': {
      const { config } = await loadConfig(args.config, io.cwd);
      return (await import('./run.js')).runRun(args, config, io);
    }
    case 'serve': {
      const { config } = await loadConfig(args.config, io.cwd);
      return (await import('./serve.js')).runServe(args, config, io);
    }
    case 'graph': {
      // A directory named is checked like scan's (a missing one is not an empty graph).
      const directory = args.positionals[0] === undefined ? '.' : directoryArgument(args, io);
      const { config } = await loadConfig(args.config, path.resolve(io.cwd, directory), io.cwd);
      return (await import('./graph.js')).runGraph(args, config, io);
    }
    case 'inspect': {
      const { config } = await loadConfig(args.config, io.cwd);
      return (await import('./inspect.js')).runInspect(args, config, io);
    }
    case 'chain': {
      const { config } = await loadConfig(args.config, io.cwd);
      return (await import('./chain.js')).runChain(args, config, io);
    }
    default: {
      const unknownCommand: string = args.command;
      io.stderr(`archpin ${unknownCommand}: not available in this version yet\n`);
      return EXIT_USAGE;
    }
  }
}

/** After a usage error: the help of the command the line names (`archpin check --help`), else the global one; none when the message already names it. */
function usageHint(argv: readonly string[], message: string): string {
  const first = argv.find((token) => !token.startsWith('-'));
  const command = COMMANDS.find((name) => name === first);
  const help = `archpin${command === undefined ? '' : ` ${command}`} --help`;
  return message.includes(`"${help}"`) ? '' : `Run "${help}" for usage.\n`;
}

/** Runs one command line; never throws: errors become messages and exit codes. Commands load lazily, so `scan` starts fast. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  try {
    return await dispatch(parseCliArgs(argv), io);
  } catch (error) {
    if (isArchpinError(error) && (error.code === 'usage' || error.code === 'config-invalid')) {
      io.stderr(`archpin: ${error.message}\n${error.code === 'usage' ? usageHint(argv, error.message) : ''}`);
      return EXIT_USAGE;
    }
    io.stderr(`archpin: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_PARTIAL;
  }
}

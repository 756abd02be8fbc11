import { describe, expect, it } from 'vitest';
import { runArchpin } from '../support/run-cli.js';

/** The line after a usage error: the command's help when the line names a command, else the global one. */
const HINT = (command?: string) => `Run "archpin${command === undefined ? '' : ` ${command}`} --help" for usage.\n`;

describe('command line', () => {
  it('usage errors exit 2 with a message naming the fix', async () => {
    expect(await runArchpin(['frobnicate'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'archpin: unknown command "frobnicate"; commands: scan, check, audit, run, serve, config, graph, chain, inspect\nRun "archpin --help" for usage.\n',
    });
    expect((await runArchpin(['check', '.', '--format', 'yaml'])).stderr).toBe('archpin: --format must be text or json, not "yaml"\nRun "archpin check --help" for usage.\n');
    const platforms = await runArchpin(['check', '.', '--platforms', 'amd64,linux/arm64']);
    expect([platforms.code, platforms.stderr]).toEqual([2, 'archpin: --platforms takes os/arch[/variant] entries such as linux/amd64,linux/arm64; not amd64\nRun "archpin check --help" for usage.\n']);
    expect((await runArchpin(['scan', '--bogus'])).code).toBe(2);
  });

  it('run without a forge or token is a usage error', async () => {
    const noForge = await runArchpin(['run']);
    expect([noForge.code, noForge.stderr]).toEqual([2, 'archpin: no forge: pass --forge gitlab|github or set "forge": {"type": …} in the config\nRun "archpin run --help" for usage.\n']);
    const noToken = await runArchpin(['run', '--forge', 'gitlab', '--url', 'http://127.0.0.1:9', '--group', 'infra']);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('no token: set GITLAB_TOKEN');
  });

  it('--help lists every command and the exit codes; --version prints the package version', async () => {
    const help = await runArchpin(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['scan [dir]', 'check [dir]', 'audit [dir]', 'run ', 'serve ', 'config validate FILE']) expect(help.stdout).toContain(command);
    expect(help.stdout).toContain('Exit codes: 0 done; 1 completed but some lookups or writes failed; 2 usage or config error; 3 audit found unsafe pins.');
    expect(await runArchpin(['--version'])).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it('platforms are checked against the OCI vocabulary with the nearest valid value', async () => {
    const typo = await runArchpin(['check', '.', '--platforms', 'linux/amd46']);
    expect([typo.code, typo.stderr]).toEqual([2, 'archpin: --platforms: "linux/amd46": unknown architecture "amd46"; did you mean linux/amd64?\nRun "archpin check --help" for usage.\n']);
    const os = await runArchpin(['audit', '.', '--platforms', 'linus/arm64']);
    expect(os.stderr).toBe('archpin: --platforms: "linus/arm64": unknown os "linus"; did you mean linux/arm64/v8?\nRun "archpin audit --help" for usage.\n');
    const variant = await runArchpin(['check', '.', '--platforms', 'linux/arm/v9']);
    expect(variant.stderr).toBe('archpin: --platforms: "linux/arm/v9": unknown variant "v9" (variants of arm: v5, v6, v7, v8)\nRun "archpin check --help" for usage.\n');
    const spaced = await runArchpin(['check', '.', '--platforms', 'linux/amd64,', 'linux/arm64']);
    expect([spaced.code, spaced.stderr]).toEqual([
      2,
      'archpin: --platforms "linux/amd64," ends with a comma and "linux/arm64" is a separate argument: write the list without spaces (--platforms linux/amd64,linux/arm64) or quote it\nRun "archpin check --help" for usage.\n',
    ]);
  });

  it('extra arguments, options a command does not use and unknown options exit 2 in archpin words', async () => {
    const cases: Array<[string[], string, string]> = [
      [['check', '.', 'other'], 'check takes at most one directory; unexpected argument "other"', HINT('check')],
      [
        ['scan', '.', 'linux/arm64'],
        'scan takes at most one directory; unexpected argument "linux/arm64" (a platform? list platforms without spaces: --platforms linux/amd64,linux/arm64)',
        HINT('scan'),
      ],
      [['run', 'x'], 'run takes no arguments (targets come from --group/--project/--owner/--repo or the config); unexpected argument "x"', HINT('run')],
      [['audit', '.', '--write'], 'audit does not use --write; see "archpin audit --help"', ''],
      [['audit', '.', '--diff'], 'audit does not use --diff; see "archpin audit --help"', ''],
      [['scan', '.', '--write'], 'scan does not use --write; see "archpin scan --help"', ''],
      [['check', '.', '--dry-run'], 'check does not use --dry-run; see "archpin check --help"', ''],
      [['check', '--platfroms', 'linux/amd64'], 'unknown option --platfroms; did you mean --platforms?', HINT('check')],
      [['scan', '--bogus'], 'unknown option --bogus; scan takes --config, --format, --log-level, --help (see "archpin scan --help")', ''],
      [
        ['check', '.', '--frobnicate'],
        'unknown option --frobnicate; check takes --config, --format, --platforms, --log-level, --cache-dir, --write, --diff, --exit-code, --help (see "archpin check --help")',
        '',
      ],
      [['--frobnicate'], 'unknown option --frobnicate', HINT()],
      [['check', '.', '--config'], '--config needs a value', HINT('check')],
      [['chek'], 'unknown command "chek"; did you mean "check"? commands: scan, check, audit, run, serve, config, graph, chain, inspect', HINT()],
      [['scan', '/nonexistent/archpin-tree'], 'scan: no such directory: /nonexistent/archpin-tree', HINT('scan')],
      [['scan', 'package.json'], 'scan: package.json is a file; pass the directory that holds it (archpin scan .)', HINT('scan')],
    ];
    for (const [argv, message, hint] of cases) {
      expect(await runArchpin(argv), argv.join(' ')).toEqual({ code: 2, stdout: '', stderr: `archpin: ${message}\n${hint}` });
    }
  });

  it("archpin <command> --help and archpin help <command> print that command's usage and options", async () => {
    const help = await runArchpin(['audit', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n').slice(0, 3)).toEqual(['Usage: archpin audit [dir]', '', 'Gate the digests already pinned under dir. Exit 3 when any pin is unsafe.']);
    expect(help.stdout).toContain('--platforms LIST');
    expect(help.stdout).not.toContain('--write');
    expect(await runArchpin(['help', 'audit'])).toEqual(help);
    expect((await runArchpin(['check', '-h'])).stdout).toContain('--write                 apply the edits to the working tree');
  });

  it('an empty --platforms, a value given to a switch, a missing subcommand and a graph directory that is not one exit 2 naming the fix', async () => {
    const cases: Array<[string[], string, string]> = [
      [['check', '.', '--platforms', ''], '--platforms needs at least one platform, e.g. --platforms linux/amd64,linux/arm64', HINT('check')],
      [['check', '.', '--exit-code=yes'], '--exit-code takes no value; write --exit-code alone', HINT('check')],
      [['check', '--help=1'], '--help takes no value; write --help alone', HINT('check')],
      [['chain'], 'chain needs a subcommand: archpin chain trigger ROOT', HINT('chain')],
      [['chain', 'start', 'infra/base'], 'chain has no subcommand "start"; write archpin chain trigger ROOT', HINT('chain')],
      [['chain', 'trigger'], "chain trigger needs the root project: archpin chain trigger ROOT (the project path of the chain's root image)", HINT('chain')],
      [['help', 'chek'], 'help: unknown command "chek"; did you mean "check"? commands: scan, check, audit, run, serve, config, graph, chain, inspect', HINT()],
      [['version'], 'unknown command "version"; did you mean "--version"? commands: scan, check, audit, run, serve, config, graph, chain, inspect', HINT()],
      [['graph', '/nonexistent/archpin-tree'], 'graph: no such directory: /nonexistent/archpin-tree', HINT('graph')],
      [['graph', 'package.json'], 'graph: package.json is a file; pass the directory that holds it (archpin graph .)', HINT('graph')],
    ];
    for (const [argv, message, hint] of cases) {
      expect(await runArchpin(argv), argv.join(' ')).toEqual({ code: 2, stdout: '', stderr: `archpin: ${message}\n${hint}` });
    }
  });
});

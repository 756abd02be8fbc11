import { describe, expect, it } from 'vitest';
import { runArchpin } from '../support/run-cli.js';

describe('command line', () => {
  it('usage errors exit 2 with a message naming the fix', async () => {
    expect(await runArchpin(['frobnicate'])).toEqual({ code: 2, stdout: '', stderr: 'archpin: unknown command "frobnicate"; commands: scan, check, audit, run, serve, config, graph, chain\nRun "archpin --help" for usage.\n' });
    expect((await runArchpin(['check', '.', '--format', 'yaml'])).stderr).toBe('archpin: --format must be text or json, not "yaml"\nRun "archpin --help" for usage.\n');
    const platforms = await runArchpin(['check', '.', '--platforms', 'amd64,linux/arm64']);
    expect([platforms.code, platforms.stderr]).toEqual([2, 'archpin: --platforms takes os/arch[/variant] entries such as linux/amd64,linux/arm64; not amd64\nRun "archpin --help" for usage.\n']);
    expect((await runArchpin(['scan', '--bogus'])).code).toBe(2);
  });

  it('run without a forge or token is a usage error', async () => {
    const noForge = await runArchpin(['run']);
    expect([noForge.code, noForge.stderr]).toEqual([2, 'archpin: no forge: pass --forge gitlab|github or set "forge": {"type": …} in the config\nRun "archpin --help" for usage.\n']);
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
});

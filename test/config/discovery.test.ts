/**
 * Which config file a directory gives: archpin.json or .archpin.json (as the README and the design name them). A YAML
 * config is read only when named with --config; one left in the directory is an error naming the fix, never ignored.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runArchpin } from '../support/run-cli.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'archpin-discovery-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let count = 0;
function tree(files: Record<string, string>): string {
  const dir = path.join(work, `t${++count}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const DOCKERFILES = { 'app/Dockerfile': 'FROM alpine:3.20\n', 'legacy/Dockerfile': 'FROM busybox:1.36\n' };
const values = (stdout: string) => (JSON.parse(stdout) as { references: Array<{ value: string }> }).references.map((reference) => reference.value);

describe('config discovery', () => {
  it('a directory with archpin.yaml and no archpin.json is an error that names the fix; --config reads it', async () => {
    for (const name of ['archpin.yaml', 'archpin.yml', '.archpin.yaml', '.archpin.yml']) {
      const dir = tree({ ...DOCKERFILES, [name]: 'ignorePaths:\n  - legacy/\n' });
      expect(await runArchpin(['scan', dir, '--format', 'json'])).toEqual({
        code: 2,
        stdout: '',
        stderr: `archpin: ${name} is not read on its own: in a directory archpin reads archpin.json or .archpin.json; name it with --config ${name}, or write it as archpin.json\n`,
      });
      const named = await runArchpin(['scan', dir, '--format', 'json', '--config', path.join(dir, name)]);
      expect([named.code, values(named.stdout)]).toEqual([0, ['alpine:3.20']]);
    }
  });

  it('archpin.json wins over a YAML file next to it, which is not read', async () => {
    const dir = tree({ ...DOCKERFILES, 'archpin.json': '{ "ignorePaths": ["app/"] }', 'archpin.yaml': 'ignorePaths:\n  - legacy/\n' });
    const run = await runArchpin(['scan', dir, '--format', 'json']);
    expect([run.code, run.stderr, values(run.stdout)]).toEqual([0, '', ['busybox:1.36']]);
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ignore from 'ignore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../support/build.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

interface Stage {
  readonly from: string;
  readonly name: string | null;
  readonly instructions: readonly Instruction[];
}

/** Dockerfile → stages of instructions (comments dropped, `\` continuations joined). */
function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(`${pending}${line}`);
    pending = '';
  }
  const stages: Array<{ from: string; name: string | null; instructions: Instruction[] }> = [];
  for (const line of logical) {
    const [keyword, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword!.toUpperCase() === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ from: match![1]!, name: match![2] ?? null, instructions: [] });
    } else {
      stages.at(-1)!.instructions.push({ keyword: keyword!.toUpperCase(), args });
    }
  }
  return stages;
}

const dockerfile = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
const [build, runtime] = dockerfile;
const dockerignore = ignore().add(readFileSync(path.join(ROOT, '.dockerignore'), 'utf8'));
const all = (stage: Stage, keyword: string) => stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);
const only = (stage: Stage, keyword: string) => {
  const found = all(stage, keyword);
  expect(found).toHaveLength(1);
  return found[0]!;
};

/** COPY sources and destination, with flags (`--from=`, `--chown=`) split off. */
function copies(stage: Stage): Array<{ from: string | null; sources: string[]; destination: string }> {
  return all(stage, 'COPY').map((args) => {
    const words = args.split(/\s+/);
    const flags = words.filter((word) => word.startsWith('--'));
    const paths = words.filter((word) => !word.startsWith('--'));
    const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length) ?? null;
    return { from, sources: paths.slice(0, -1), destination: paths.at(-1)! };
  });
}

beforeAll(() => ensureBuilt(), 120_000);

describe('Dockerfile', () => {
  it('has a build stage and a runtime stage on the Node 26 LTS base, pinned by digest, inside engines', () => {
    const base = 'node:26-bookworm-slim@sha256:367679cf9792759492a486e4aa4b421764d71a9546a6dae8aab81a99eb797b3e';
    expect(dockerfile.map((stage) => [stage.from, stage.name])).toEqual([
      [base, 'build'],
      [base, 'runtime'],
    ]);
    const engines = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe('>=22.13');
  });

  it('builds with the README install commands, then drops dev dependencies', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const install = readme.split('\n').find((line) => line.startsWith('npm install && npm run build'));
    expect(install).toBe('npm install && npm run build');
    const readmeCommands = install!.split('&&').map((command) => command.trim());
    const runs = all(build!, 'RUN');
    expect(runs).toEqual(['npm install --no-audit --no-fund', 'npm run build', 'npm prune --omit=dev']);
    readmeCommands.forEach((command, index) => expect(runs[index]!.startsWith(command)).toBe(true));
  });

  it('copies into the build stage only what the build needs, all present and not excluded by .dockerignore', () => {
    const sources = copies(build!).flatMap((copy) => copy.sources);
    expect(sources).toEqual(['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src']);
    for (const source of sources) {
      expect(existsSync(path.join(ROOT, source)), source).toBe(true);
      expect(dockerignore.ignores(source), source).toBe(false);
    }
  });

  it('runtime stage: every COPY source exists after a build (build-stage paths map to the repository)', () => {
    const workdir = only(build!, 'WORKDIR');
    expect(workdir).toBe('/src');
    const runtimeCopies = copies(runtime!);
    expect(runtimeCopies.map((copy) => [copy.from, ...copy.sources, copy.destination])).toEqual([
      ['build', '/src/package.json', './package.json'],
      ['build', '/src/node_modules', './node_modules'],
      ['build', '/src/dist', './dist'],
      [null, 'bin', './bin'],
      [null, 'config.schema.json', './config.schema.json'],
    ]);
    for (const copy of runtimeCopies) {
      for (const source of copy.sources) {
        const local = copy.from === 'build' ? path.relative(workdir, source) : source;
        expect(existsSync(path.join(ROOT, local)), local).toBe(true);
        if (copy.from === null) expect(dockerignore.ignores(local), local).toBe(false);
      }
    }
    expect(existsSync(path.join(ROOT, 'dist', 'main.js'))).toBe(true);
    expect(readFileSync(path.join(ROOT, 'bin', 'archpin.js'), 'utf8')).toContain("'../dist/main.js'");
  });

  it('runs as a non-root user with the cache on a volume, so the root filesystem can be read-only', () => {
    expect(only(runtime!, 'USER')).toBe('node');
    expect(only(runtime!, 'ENV')).toBe('NODE_ENV=production XDG_CACHE_HOME=/cache');
    expect(only(runtime!, 'VOLUME')).toBe('/cache');
    expect(only(runtime!, 'WORKDIR')).toBe('/app');
    const run = only(runtime!, 'RUN');
    expect(run).toBe('chmod 0755 /app/bin/archpin.js && ln -s /app/bin/archpin.js /usr/local/bin/archpin && mkdir -p /cache && chown node:node /cache');
    // USER comes after the root-only setup
    const keywords = runtime!.instructions.map((instruction) => instruction.keyword);
    expect(keywords.indexOf('USER')).toBeGreaterThan(keywords.indexOf('RUN'));
  });

  it('ENTRYPOINT is ["archpin"] and CMD is ["serve"]', () => {
    expect(JSON.parse(only(runtime!, 'ENTRYPOINT'))).toEqual(['archpin']);
    expect(JSON.parse(only(runtime!, 'CMD'))).toEqual(['serve']);
    expect(statSync(path.join(ROOT, 'bin', 'archpin.js')).mode & 0o111).not.toBe(0);
  });
});

describe('.dockerignore', () => {
  it('excludes node_modules, dist, test and .git but keeps the build inputs', () => {
    for (const excluded of ['node_modules', 'dist', 'test', '.git', 'node_modules/yaml/package.json', 'dist/main.js', 'test/demo/demo.test.ts', '.git/HEAD']) {
      expect(dockerignore.ignores(excluded), excluded).toBe(true);
    }
    for (const kept of ['src/main.ts', 'bin/archpin.js', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'config.schema.json']) {
      expect(dockerignore.ignores(kept), kept).toBe(false);
    }
  });
});

describe('the image entrypoint', () => {
  let bin: string;

  beforeAll(() => {
    // what the image does: `archpin` on PATH is a symlink to bin/archpin.js
    bin = mkdtempSync(path.join(os.tmpdir(), 'archpin-entrypoint-'));
    symlinkSync(path.join(ROOT, 'bin', 'archpin.js'), path.join(bin, 'archpin'));
  });

  afterAll(() => {
    if (bin) rmSync(bin, { recursive: true, force: true });
  });

  const archpin = (...args: string[]) =>
    spawnSync('archpin', args, {
      cwd: os.tmpdir(),
      encoding: 'utf8',
      env: { PATH: `${bin}${path.delimiter}${path.dirname(process.execPath)}${path.delimiter}/usr/bin:/bin`, XDG_CACHE_HOME: '/cache', NODE_ENV: 'production' },
    });

  it('archpin --version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = archpin('--version');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
    expect(version).toBe('0.1.0');
  });

  it('archpin --help prints the usage, which lists serve (the image default command)', () => {
    const result = archpin('--help');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('Usage: archpin <command> [options]');
    expect(lines.filter((line) => /^ {2}(scan|check|audit|run|serve) /.test(line)).map((line) => line.trim().split(/\s+/)[0])).toEqual(['scan', 'check', 'audit', 'run', 'serve']);
    expect(lines).toContain('  --cache-dir DIR         manifest and first-seen cache');
  });
});

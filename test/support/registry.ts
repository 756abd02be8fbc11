/**
 * A real OCI registry for tests: the CNCF distribution server (`docker-registry serve`,
 * Debian package `docker-registry`, installed by `scripts/ensure-registry.mjs`), listening on
 * 127.0.0.1 only, with filesystem storage in a fresh temporary directory.
 *
 *   const registry = await startRegistry();                       // no auth
 *   const registry = await startRegistry({ auth: 'htpasswd', users: [{ username: 'bot', password: 's3cret' }] });
 *   const issuer = await startTokenIssuer({ users: [...] });      // see token-issuer.ts
 *   const registry = await startRegistry({ auth: 'token', token: issuer });
 *   const registry = await startRegistry({ auth: 'token', token: issuer, realm: `${tokenProxy.url}/token` });
 *   ...
 *   await registry.stop();                                        // kills the server, removes its directory
 *
 * `TestRegistry`:
 *   url     `http://127.0.0.1:PORT` (plain HTTP, as for any loopback registry)
 *   host    `127.0.0.1:PORT` (what goes in an image reference)
 *   auth    which auth mode it runs with
 *   authorization(repository, actions)
 *           an `Authorization` header value with full rights on `repository` (Basic for
 *           htpasswd with the first user, a freshly minted bearer token for token auth,
 *           undefined without auth). The seeding helpers in seed.ts use it; a minted token
 *           does not count as a request to the token issuer.
 *   dir, logPath  the temporary directory and the server's log (level warn), for debugging
 *   storage the filesystem driver's root directory (under dir)
 *   stop()  idempotent
 *
 * Deletion is enabled (`storage.delete.enabled: true`); there is no debug server.
 * Quirks of distribution 2.8 worth knowing: `GET /v2/<name>/tags/list` returns the tags in
 * storage order (not sorted) and ignores `n`/`last` (use proxy.ts's pagination mode).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stopChild, waitReady } from '../../scripts/registry-kit.mjs';
import type { TokenIssuer } from './token-issuer.js';

export type RegistryAuth = 'none' | 'htpasswd' | 'token';

export interface RegistryUser {
  username: string;
  password: string;
}

export type AuthorizationProvider = (repository: string, actions: readonly string[]) => Promise<string | undefined>;

/** What the seeding helpers need: a base URL and, on a registry with auth, a way to authorize. */
export interface RegistryTarget {
  readonly url: string;
  readonly authorization?: AuthorizationProvider;
}

export interface TestRegistry extends RegistryTarget {
  readonly url: string;
  readonly host: string;
  readonly auth: RegistryAuth;
  readonly authorization: AuthorizationProvider;
  readonly dir: string;
  readonly logPath: string;
  readonly storage: string;
  stop(): Promise<void>;
}

export interface StartRegistryOptions {
  auth?: RegistryAuth;
  /** htpasswd users; the first one is used by `authorization()`. */
  users?: RegistryUser[];
  /** Required for `auth: 'token'`. */
  token?: TokenIssuer;
  /** Realm advertised in the Bearer challenge instead of `token.realm`, e.g. a proxy in front of the issuer. */
  realm?: string;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** A port that was free a moment ago on 127.0.0.1 (bind port 0, read it, release it). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function basic(user: RegistryUser): string {
  return `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
}

function htpasswdLine(user: RegistryUser): string {
  const result = spawnSync('htpasswd', ['-nbB', user.username, user.password], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) {
    throw new Error(`htpasswd failed (${result.error?.message ?? result.stderr}); run scripts/ensure-registry.mjs`);
  }
  return result.stdout.trim();
}

const storageOf = (dir: string): string => join(dir, 'data');

function configYaml(dir: string, port: number, options: StartRegistryOptions): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  formatter: text',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(storageOf(dir))}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    'health:',
    '  storagedriver:',
    '    enabled: false',
  ];
  if (options.auth === 'htpasswd') {
    lines.push('auth:', '  htpasswd:', '    realm: archpin-test', `    path: ${JSON.stringify(join(dir, 'htpasswd'))}`);
  } else if (options.auth === 'token') {
    const issuer = options.token!;
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${JSON.stringify(options.realm ?? issuer.realm)}`,
      `    service: ${JSON.stringify(issuer.service)}`,
      `    issuer: ${JSON.stringify(issuer.issuer)}`,
      `    rootcertbundle: ${JSON.stringify(issuer.rootCertBundle)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const auth = options.auth ?? 'none';
  const users = options.users ?? [];
  if (auth === 'htpasswd' && users.length === 0) throw new Error('startRegistry: htpasswd auth needs at least one user');
  if (auth === 'token' && options.token === undefined) throw new Error('startRegistry: token auth needs a token issuer');
  installExitHook();

  const dir = await mkdtemp(join(tmpdir(), 'archpin-registry-'));
  const logPath = join(dir, 'registry.log');
  const configPath = join(dir, 'config.yml');
  if (auth === 'htpasswd') await writeFile(join(dir, 'htpasswd'), `${users.map(htpasswdLine).join('\n')}\n`);

  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    await writeFile(configPath, configYaml(dir, port, { ...options, auth }));
    const logFd = openSync(logPath, 'w');
    // GOGC=400: the Go collector runs a quarter as often. A test registry's heap stays small, and its
    // collections were a visible share of its CPU (the same pushes and reads: 0.91–1.50 s against
    // 1.13–1.73 s with the default).
    const child = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', logFd, logFd], cwd: dir, env: { ...process.env, GOGC: '400' } });
    closeSync(logFd);
    child.on('error', () => undefined);
    live.add(child);
    child.once('exit', () => live.delete(child));
    const host = `127.0.0.1:${port}`;
    const url = `http://${host}`;
    let outcome: 'ready' | 'port-in-use';
    try {
      outcome = await waitReady(url, child, logPath, 10_000);
    } catch (error) {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    if (outcome === 'port-in-use') continue;

    const authorization: AuthorizationProvider = async (repository, actions) => {
      if (auth === 'htpasswd') return basic(users[0]!);
      if (auth === 'token') return `Bearer ${options.token!.mint([{ type: 'repository', name: repository, actions: [...actions] }])}`;
      return undefined;
    };
    let stopped: Promise<void> | undefined;
    return {
      url,
      host,
      auth,
      authorization,
      dir,
      logPath,
      storage: storageOf(dir),
      stop() {
        stopped ??= stopChild(child).then(() => rm(dir, { recursive: true, force: true }));
        return stopped;
      },
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error('startRegistry: no free port after 5 attempts');
}

/**
 * Docker credential helpers (`docker-credential-<name> get`): the server URL goes in on stdin, a JSON
 * `{ "ServerURL", "Username", "Secret" }` comes back on stdout. Time-bounded; the secret is never put in
 * an error or a log line, and neither is anything the helper printed on stdout.
 */
import { spawn } from 'node:child_process';
import { ArchpinError } from '../core/errors.js';
import { IDENTITY_TOKEN_USER, type RegistryCredentials } from './docker-config.js';

export interface HelperOptions {
  /** Environment of the helper (PATH decides which binary runs). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Default 10 s. */
  readonly timeoutMs?: number;
}

const MAX_OUTPUT = 64 * 1024;

/** Asks a helper for a server's credentials; null when it has none ("credentials not found"). */
export function runCredentialHelper(name: string, serverUrl: string, options: HelperOptions): Promise<RegistryCredentials | null> {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) return Promise.reject(new ArchpinError('config-invalid', `credential helper name "${name}" is not a plain name`));
  const program = `docker-credential-${name}`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const child = spawn(program, ['get'], { env: { ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      // A process the helper started (a shell's `sleep`) may still hold its output pipes: close our ends now.
      child.stdout.destroy();
      child.stderr.destroy();
      finish(() => reject(new ArchpinError('registry-unauthorized', `credential helper ${program} gave no answer within ${timeoutMs} ms`, { retryable: true })));
    }, timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length < MAX_OUTPUT) stdout += chunk;
    });
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < MAX_OUTPUT) stderr += chunk;
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ENOENT' ? 'is not on PATH' : `could not run (${error.code ?? error.message})`;
      finish(() => reject(new ArchpinError('registry-unauthorized', `credential helper ${program} ${why}`)));
    });
    child.on('close', (code) => {
      finish(() => {
        if (code !== 0) {
          // The documented "not found" answer arrives on stdout with a non-zero exit.
          if (/credentials not found/i.test(stdout) || /credentials not found/i.test(stderr)) resolve(null);
          else reject(new ArchpinError('registry-unauthorized', `credential helper ${program} failed for ${serverUrl} (exit ${String(code)})`));
          return;
        }
        try {
          resolve(parseAnswer(stdout, program, serverUrl));
        } catch (error) {
          reject(error);
        }
      });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(serverUrl);
  });
}

function parseAnswer(stdout: string, program: string, serverUrl: string): RegistryCredentials | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new ArchpinError('registry-unauthorized', `credential helper ${program} answered for ${serverUrl} with something that is not JSON`);
  }
  const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const username = record['Username'];
  const secret = record['Secret'];
  if (typeof secret !== 'string' || secret === '') return null;
  // `<token>` marks an identity token: a refresh token for the realm's OAuth2 flow, not a password.
  if (username === IDENTITY_TOKEN_USER) return { username, password: '', identityToken: secret };
  if (typeof username !== 'string' || username === '') return null;
  return { username, password: secret };
}

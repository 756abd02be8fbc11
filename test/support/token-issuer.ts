/**
 * A bearer-token server for distribution's `auth.token` mode, on 127.0.0.1.
 *
 *   const issuer = await startTokenIssuer({ users: [{ username: 'bot', password: 's3cret' }], anonymousPull: true });
 *   const registry = await startRegistry({ auth: 'token', token: issuer });
 *
 * Endpoints (at `issuer.realm`, i.e. `http://127.0.0.1:PORT/token`):
 *   GET  /token?service=…&scope=repository:<name>:pull,push[&scope=…]   Basic auth, or none
 *   POST /token   (OAuth2 form: grant_type=password, username, password, service, scope; or
 *                  grant_type=refresh_token, refresh_token, client_id (required), service, scope: identity tokens)
 * `refreshTokens` maps refresh tokens (identity tokens) to user names; with `rotateRefreshTokens` every refresh
 * answer carries a new `refresh_token` and the one used stops working. An unknown refresh token → 400
 * `{"error":"invalid_grant"}`, a missing client_id → 400 `{"error":"invalid_request"}` (OAuth2's error bodies).
 * Answer: `{ token, access_token, expires_in, issued_at }` (POST: no `token`).
 * Wrong credentials → 401. No credentials → 401 unless `anonymousPull`, in which case the
 * token grants `pull` only. Authenticated users get the actions they ask for, minus any
 * listed in their `deny`. `service` must match when given (else 400).
 *
 * Tokens are RS256 JWTs signed by a fresh self-signed certificate (openssl), carried in the
 * `x5c` header; `rootCertBundle` is that certificate's PEM file for the registry config.
 * Claims: iss, sub, aud (= service), exp, nbf, iat, jti, access.
 *
 * Several `scope` parameters are all granted, as distribution's spec says; `multiScope` 'first' grants only the
 * first of them and 'refuse' answers 400 to more than one (realms that do not take several).
 *
 * `requests` logs every HTTP request (method, username, scopes, service, status) so tests can
 * assert how many tokens a client asked for; `mint()` signs a token directly without a
 * request (used for seeding) and is not logged. `reset()` clears the log. `stop()` is idempotent.
 */
import { spawnSync } from 'node:child_process';
import { createPrivateKey, randomUUID, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TokenUser {
  username: string;
  password: string;
  /** Actions never granted to this user (e.g. `['push']` for a read-only robot). */
  deny?: string[];
}

export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

export interface TokenRequest {
  method: string;
  /** POST: the OAuth2 grant_type and client_id. */
  grantType?: string | undefined;
  clientId?: string | undefined;
  username: string | undefined;
  service: string | undefined;
  scopes: string[];
  status: number;
}

export interface TokenIssuer {
  readonly url: string;
  /** The realm to put in the registry config: `${url}/token`. */
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  readonly rootCertBundle: string;
  readonly requests: TokenRequest[];
  mint(access: AccessEntry[], subject?: string): string;
  multiScope: 'grant' | 'first' | 'refuse';
  reset(): void;
  stop(): Promise<void>;
}

export interface StartTokenIssuerOptions {
  users?: TokenUser[];
  anonymousPull?: boolean;
  service?: string;
  issuer?: string;
  expiresIn?: number;
  /** Refresh token (identity token) → user name. */
  refreshTokens?: Record<string, string>;
  rotateRefreshTokens?: boolean;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** `repository:library/docker:pull,push` → entry. Split at the first and the last colon, so names with `/` keep whole. */
export function parseScope(scope: string): AccessEntry | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  const actions = scope
    .slice(last + 1)
    .split(',')
    .filter((action) => action !== '');
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions };
}

function parseBasic(header: string | undefined): { username: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function makeCertificate(): { dir: string; certPath: string; key: KeyObject; x5c: string } {
  const dir = mkdtempSync(join(tmpdir(), 'archpin-token-'));
  const certPath = join(dir, 'root.crt');
  const keyPath = join(dir, 'root.key');
  const result = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=archpin test token issuer'], {
    encoding: 'utf8',
  });
  if (result.error !== undefined || result.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`openssl failed (${result.error?.message ?? result.stderr}); run scripts/ensure-registry.mjs`);
  }
  const cert = new X509Certificate(readFileSync(certPath));
  return { dir, certPath, key: createPrivateKey(readFileSync(keyPath)), x5c: cert.raw.toString('base64') };
}

export async function startTokenIssuer(options: StartTokenIssuerOptions = {}): Promise<TokenIssuer> {
  const users = options.users ?? [];
  const service = options.service ?? 'archpin-test-registry';
  const issuerName = options.issuer ?? 'archpin-test-issuer';
  const expiresIn = options.expiresIn ?? 300;
  const { dir, certPath, key, x5c } = makeCertificate();
  const requests: TokenRequest[] = [];
  const refreshTokens = new Map(Object.entries(options.refreshTokens ?? {}));

  const mint = (access: AccessEntry[], subject = ''): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [x5c] };
    const claims = { iss: issuerName, sub: subject, aud: service, exp: now + expiresIn, nbf: now - 10, iat: now, jti: randomUUID(), access };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    return `${signingInput}.${base64url(sign('sha256', Buffer.from(signingInput), key))}`;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = request.method ?? 'GET';
    let credentials = parseBasic(request.headers.authorization);
    let scopes = url.searchParams.getAll('scope');
    let requestedService = url.searchParams.get('service') ?? undefined;
    let grantType: string | undefined;
    let clientId: string | undefined;
    let refreshUser: TokenUser | undefined;
    let refreshError: { status: number; body: unknown } | undefined;
    if (method === 'POST') {
      const form = new URLSearchParams(await readBody(request));
      grantType = form.get('grant_type') ?? undefined;
      clientId = form.get('client_id') ?? undefined;
      if (grantType === 'password') {
        credentials = { username: form.get('username') ?? '', password: form.get('password') ?? '' };
      }
      if (grantType === 'refresh_token') {
        const presented = form.get('refresh_token') ?? '';
        const name = refreshTokens.get(presented);
        if (clientId === undefined || clientId === '') refreshError = { status: 400, body: { error: 'invalid_request', error_description: 'client_id is required' } };
        else if (name === undefined) refreshError = { status: 400, body: { error: 'invalid_grant', error_description: 'unknown or expired refresh token' } };
        else {
          refreshUser = users.find((candidate) => candidate.username === name) ?? { username: name, password: '' };
          if (options.rotateRefreshTokens === true) refreshTokens.delete(presented);
        }
      }
      scopes = form
        .getAll('scope')
        .flatMap((scope) => scope.split(' '))
        .filter((scope) => scope !== '');
      requestedService = form.get('service') ?? undefined;
    }
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      requests.push({ method, grantType, clientId, username: credentials?.username ?? refreshUser?.username, service: requestedService, scopes, status });
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    if (url.pathname !== '/token' || (method !== 'GET' && method !== 'POST')) {
      answer(404, { errors: [{ code: 'NOT_FOUND', message: 'no such endpoint' }] });
      return;
    }
    if (requestedService !== undefined && requestedService !== service) {
      answer(400, { errors: [{ code: 'UNSUPPORTED', message: `unknown service ${requestedService}` }] });
      return;
    }
    if (refreshError !== undefined) {
      answer(refreshError.status, refreshError.body);
      return;
    }
    if (scopes.length > 1 && state.multiScope === 'refuse') {
      answer(400, { errors: [{ code: 'DENIED', message: 'one scope per request' }] });
      return;
    }
    let user: TokenUser | undefined = refreshUser;
    if (user === undefined && credentials !== undefined) {
      user = users.find((candidate) => candidate.username === credentials.username && candidate.password === credentials.password);
      if (user === undefined) {
        answer(401, { errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] }, { 'www-authenticate': 'Basic realm="archpin-test"' });
        return;
      }
    } else if (user === undefined && options.anonymousPull !== true) {
      answer(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, { 'www-authenticate': 'Basic realm="archpin-test"' });
      return;
    }
    const access = (state.multiScope === 'first' ? scopes.slice(0, 1) : scopes)
      .map(parseScope)
      .filter((entry): entry is AccessEntry => entry !== undefined)
      .map((entry) => ({
        ...entry,
        actions: entry.actions.filter((action) => (user === undefined ? action === 'pull' : !(user.deny ?? []).includes(action))),
      }));
    const token = mint(access, user?.username ?? '');
    const issuedAt = new Date().toISOString();
    let rotated: string | undefined;
    if (refreshUser !== undefined && options.rotateRefreshTokens === true) {
      rotated = `refresh-${randomUUID()}`;
      refreshTokens.set(rotated, refreshUser.username);
    }
    const body =
      method === 'POST'
        ? { access_token: token, expires_in: expiresIn, issued_at: issuedAt, scope: scopes.join(' '), ...(rotated === undefined ? {} : { refresh_token: rotated }) }
        : { token, access_token: token, expires_in: expiresIn, issued_at: issuedAt };
    answer(200, body);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  let stopped: Promise<void> | undefined;
  const state: TokenIssuer = {
    url,
    realm: `${url}/token`,
    service,
    issuer: issuerName,
    rootCertBundle: certPath,
    requests,
    mint,
    multiScope: 'grant',
    reset() {
      requests.length = 0;
      state.multiScope = 'grant';
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => rmSync(dir, { recursive: true, force: true }));
      return stopped;
    },
  };
  return state;
}

/**
 * Every test file starts with this (vitest `setupFiles`): a name that is not loopback does not
 * resolve, and an address that is not 127.0.0.0/8 or ::1 is refused, so no test can reach a public host by accident (a fixture naming `ghcr.io/…` whose
 * lookup a code path reaches). Such a lookup fails as `ENOTFOUND`, and the host is named on stderr.
 */
import dns from 'node:dns';

type LookupCallback = (error: NodeJS.ErrnoException | null, address?: unknown, family?: number) => void;

const isLoopback = (hostname: string): boolean => hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(hostname);
/** Set on the patched function, so that a worker that runs several test files (isolate: false) patches once. */
const PATCHED = Symbol.for('archpin.loopback-only');
const original = dns.lookup;
const warned = new Set<string>();

function lookup(this: unknown, hostname: string, ...rest: unknown[]): void {
  if (isLoopback(hostname)) {
    Reflect.apply(original, this, [hostname, ...rest]);
    return;
  }
  const callback = rest.at(-1) as LookupCallback;
  if (!warned.has(hostname)) {
    warned.add(hostname);
    process.stderr.write(`[loopback-only] refused to resolve ${hostname}: tests talk to 127.0.0.1 and ::1 only\n`);
  }
  const error: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname, syscall: 'getaddrinfo' });
  process.nextTick(() => callback(error));
}

if (!(PATCHED in original)) dns.lookup = Object.assign(lookup, { [PATCHED]: true }) as unknown as typeof dns.lookup;

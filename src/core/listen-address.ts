export type ListenAddress = { readonly ok: true; readonly host: string; readonly port: number } | { readonly ok: false; readonly message: string };

const EXAMPLE = 'e.g. 0.0.0.0:8080, 127.0.0.1:9090 or [::1]:8080';
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

function hostProblem(host: string): string | null {
  if (/^[\d.]+$/.test(host)) {
    const parts = host.split('.');
    return parts.length === 4 && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255) ? null : `host "${host}" is not an IPv4 address`;
  }
  if (host.length <= 253 && host.split('.').every((label) => LABEL.test(label))) return null;
  return `host "${host}" is not a host name or IP address`;
}

function ipv6Problem(host: string): string | null {
  try {
    new URL(`http://[${host}]/`);
    return null;
  } catch {
    return `"[${host}]" is not an IPv6 address`;
  }
}

/**
 * `host:port`, `:port` (every interface), `[ipv6]:port` or a bare port, for serve's listener. The
 * message says which part is wrong: the port (a number from 0 to 65535) or the host.
 */
export function parseListenAddress(text: string): ListenAddress {
  const trimmed = text.trim();
  let host: string;
  let portText: string;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(trimmed);
  if (bracketed) {
    host = bracketed[1] ?? '';
    if (bracketed[2] === undefined) return { ok: false, message: `"${text}" has no port; ${EXAMPLE}` };
    portText = bracketed[2];
    const problem = ipv6Problem(host);
    if (problem !== null) return { ok: false, message: problem };
  } else if (/^\d+$/.test(trimmed)) {
    host = '';
    portText = trimmed;
  } else {
    const colon = trimmed.lastIndexOf(':');
    if (colon === -1) return { ok: false, message: `"${text}" is not host:port; ${EXAMPLE}` };
    host = trimmed.slice(0, colon);
    portText = trimmed.slice(colon + 1);
    if (host.includes(':')) return { ok: false, message: `"${text}": put an IPv6 address in brackets, e.g. [::1]:8080` };
    if (host !== '') {
      const problem = hostProblem(host);
      if (problem !== null) return { ok: false, message: `"${text}": ${problem}; ${EXAMPLE}` };
    }
  }
  if (portText === '') return { ok: false, message: `"${text}" has no port after the colon; ${EXAMPLE}` };
  if (!/^\d+$/.test(portText)) return { ok: false, message: `"${text}": port "${portText}" is not a number from 0 to 65535` };
  const port = Number(portText);
  if (port > 65_535) return { ok: false, message: `"${text}": port ${portText} is out of range (0 to 65535)` };
  return { ok: true, host: host || '0.0.0.0', port };
}

/** Parses a `WWW-Authenticate` challenge: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`. */

export interface AuthChallenge {
  /** Lower-cased scheme: `bearer`, `basic`, or whatever else the server sent. */
  readonly scheme: string;
  /** Parameters with lower-cased names; quoted values unescaped. */
  readonly params: Readonly<Record<string, string>>;
}

const PARAM = /\s*([A-Za-z0-9_!#$%&'*+.^`|~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*(?:,|$)/y;

/** Returns the first challenge in the header, or null when there is none. */
export function parseWwwAuthenticate(header: string | null): AuthChallenge | null {
  if (header === null) return null;
  const match = /^\s*([A-Za-z][A-Za-z0-9_-]*)(?:\s+|$)/.exec(header);
  if (!match) return null;
  const params: Record<string, string> = {};
  PARAM.lastIndex = match[0].length;
  for (let m = PARAM.exec(header); m !== null; m = PARAM.exec(header)) {
    const [, name = '', quoted, bare] = m;
    params[name.toLowerCase()] = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare ?? '');
    if (PARAM.lastIndex >= header.length) break;
  }
  const [, scheme = ''] = match;
  return { scheme: scheme.toLowerCase(), params };
}

/** The labels of an image config blob (`config.Labels`), and the OCI annotation keys a chain proves its upstream pipeline by. Pure. */

export const REVISION_LABEL = 'org.opencontainers.image.revision';
export const SOURCE_LABEL = 'org.opencontainers.image.source';

/** `config.Labels` of an image config (string values only), or null when the bytes are not a JSON object. */
export function imageLabels(bytes: Uint8Array): Readonly<Record<string, string>> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const config = (parsed as { config?: unknown }).config;
  const labels = config && typeof config === 'object' ? (config as { Labels?: unknown }).Labels : null;
  if (!labels || typeof labels !== 'object') return {};
  return Object.fromEntries(Object.entries(labels as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** The project path a source label names (`https://gitlab.example.com/acme/base.git` → `acme/base`), or null. */
export function sourceProjectPath(source: string): string | null {
  const path = /^[a-z][a-z0-9+.-]*:\/\/[^/]+\/(.+?)(?:\.git)?\/?$/i.exec(source.trim())?.[1];
  return path === undefined ? null : path.replace(/\/-\/.*$/, '');
}

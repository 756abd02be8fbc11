/** Machine-readable state carried in an MR or issue body as an HTML comment, so the forge is the database. */
const PATTERN = /<!-- archpin-state:([A-Za-z0-9+/=]+) -->/;

export function embedState(state: unknown): string {
  return `<!-- archpin-state:${Buffer.from(JSON.stringify(state), 'utf8').toString('base64')} -->`;
}

export function extractState(body: string | null | undefined): unknown {
  const match = body ? PATTERN.exec(body) : null;
  if (!match) return null;
  try {
    const [, encoded = ''] = match;
    return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch {
    return null;
  }
}

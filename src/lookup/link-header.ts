/** Finds the `rel="next"` target of a `Link` header, resolved against the URL of the page that sent it. */
export function nextPageUrl(link: string | null, pageUrl: string): URL | null {
  if (link === null) return null;
  for (const part of link.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!match) continue;
    const [, target = '', params = ''] = match;
    const rels = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const rel = rels?.[1] ?? rels?.[2];
    if (rel === undefined || !rel.toLowerCase().split(/\s+/).includes('next')) continue;
    try {
      return new URL(target, pageUrl);
    } catch {
      return null;
    }
  }
  return null;
}

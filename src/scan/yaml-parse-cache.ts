import { createHash } from 'node:crypto';

/**
 * Parsed forms of texts seen again, keyed by the SHA-256 of the text: a re-scan (the check of an edit
 * before it is written, the next sweep of `serve`, a scan of the tree with one file edited) parses only
 * what changed. A text is kept from its second parse on, so a one-time scan keeps nothing it will not
 * ask for again; the least recently used go first once the cost of those kept (estimated YAML nodes)
 * passes the budget. What is kept is never changed by its readers: extractors only read parsed documents.
 */
export interface ParseCache<T> {
  /** The parsed form of `text`, parsing it with `parse` (which gives its cost) when it is not kept. */
  get(text: string, parse: () => { readonly value: T; readonly cost: number }): T;
}

/** Texts remembered as seen once, so that the second parse keeps its result. */
const MAX_SEEN = 50_000;

export function parseCache<T>(budget: number): ParseCache<T> {
  const kept = new Map<string, { readonly value: T; readonly cost: number }>();
  const seen = new Set<string>();
  let held = 0;
  return {
    get(text, parse) {
      const key = createHash('sha256').update(text, 'latin1').digest('base64');
      const found = kept.get(key);
      if (found) {
        // Most recently used last: Map keeps insertion order.
        kept.delete(key);
        kept.set(key, found);
        return found.value;
      }
      const parsed = parse();
      if (!seen.has(key)) {
        if (seen.size >= MAX_SEEN) seen.clear();
        seen.add(key);
        return parsed.value;
      }
      if (parsed.cost > budget / 4) return parsed.value;
      kept.set(key, parsed);
      held += parsed.cost;
      for (const [oldest, entry] of kept) {
        if (held <= budget) break;
        kept.delete(oldest);
        held -= entry.cost;
      }
      return parsed.value;
    },
  };
}

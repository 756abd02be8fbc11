/**
 * A repository's tag list (`/v2/<name>/tags/list`), every page as the registry's profile pages it: `Link`, an
 * opaque `next_page` token, or none; a page size refused once (405/400) is not asked for again. A `Link` to
 * another origin is never followed.
 */
import { nextPageUrl } from './link-header.js';
import { readCappedBody } from './read-body.js';
import { isRecord, MAX_TAG_PAGE_BYTES, parseJson, tooLargeAs, v2Url, type ImageLocation, type RegistryContext } from './registry-context.js';
import { RegistryError } from './registry-errors.js';
import type { RegistryProfile } from './registry-profile.js';

export type TagLister = (image: ImageLocation) => Promise<string[]>;

export function createTagLister(ctx: RegistryContext): TagLister {
  /** Registries that refused a page size once: later tag lists of the run go without `n`. */
  const refusedPageSize = new Set<string>();

  async function readPage(image: ImageLocation, url: URL, what: string): Promise<{ body: unknown; link: string | null }> {
    return ctx.send(image.registry, {
      kind: 'tags',
      method: 'GET',
      url,
      target: ctx.target(image),
      what,
      read: async (response) => ({
        body: parseJson(await readCappedBody(response, tooLargeAs('registry-bad-response', MAX_TAG_PAGE_BYTES, what)), what),
        link: response.headers.get('link'),
      }),
    });
  }

  return async function listTags(image) {
    const t = ctx.target(image);
    const tags: string[] = [];
    const seen = new Set<string>();
    const first = ctx.profileOf(image.registry);
    let withoutPageSize = first.pageSize === null || refusedPageSize.has(image.registry);
    let url: URL | null = v2Url(t, withoutPageSize ? 'tags/list' : `tags/list?n=${String(first.pageSize)}`);
    const what = `GET tags ${image.registry}/${image.repository}`;
    let page = 0;
    for (; url !== null && page < ctx.maxTagPages && !seen.has(url.href); page++) {
      seen.add(url.href);
      const pageUrl: URL = url;
      let result: { body: unknown; link: string | null };
      try {
        result = await readPage(image, pageUrl, what);
      } catch (error) {
        // Some registries (ECR behind proxies among them) refuse a large `n` instead of capping it.
        const refused = error instanceof RegistryError && (error.status === 405 || error.status === 400);
        if (page === 0 && !withoutPageSize && refused && ctx.profileOf(image.registry).retryWithoutPageSize) {
          withoutPageSize = true;
          refusedPageSize.add(image.registry);
          url = v2Url(t, 'tags/list');
          page = -1;
          continue;
        }
        throw error;
      }
      for (const tag of tagsOf(result.body, what)) tags.push(tag);
      url = nextTagsPage(ctx.profileOf(image.registry), pageUrl, result.link, result.body);
    }
    const profile = ctx.profileOf(image.registry);
    if (url !== null && page >= ctx.maxTagPages && profile.oldestFirst) {
      // Oldest first: the pages not read hold the newest tags, so the list cannot answer "what is newer".
      throw new RegistryError('registry-bad-response', `${what}: more than ${String(ctx.maxTagPages)} pages of tags, listed oldest first; the newest are unknown`);
    }
    const unique = [...new Set(tags)];
    if (unique.length <= ctx.maxTags) return unique;
    return profile.oldestFirst ? unique.slice(unique.length - ctx.maxTags) : unique.slice(0, ctx.maxTags);
  };
}

/** The URL of the page after `pageUrl`, as the profile finds it; null at the end or when it points elsewhere. */
function nextTagsPage(profile: RegistryProfile, pageUrl: URL, link: string | null, body: unknown): URL | null {
  if (profile.pagination === 'none') return null;
  let next = nextPageUrl(link, pageUrl.href);
  if (next === null && profile.pagination === 'next-page-token') {
    const token = isRecord(body) && typeof body['next_page'] === 'string' && body['next_page'] !== '' ? body['next_page'] : null;
    if (token === null) return null;
    next = new URL(pageUrl.href);
    next.searchParams.set('next_page', token);
  }
  if (next === null) return null;
  // A Link to another origin is never followed: the credentials for this registry would go with it.
  if (next.origin !== pageUrl.origin) return null;
  if (profile.linkQueryOnly && next.pathname !== pageUrl.pathname) return new URL(`${pageUrl.pathname}${next.search}`, pageUrl);
  return next;
}

function tagsOf(body: unknown, what: string): string[] {
  const tags = isRecord(body) ? body['tags'] : undefined;
  if (tags === null || tags === undefined) return [];
  if (!Array.isArray(tags)) throw new RegistryError('registry-bad-response', `${what}: "tags" is not a list`);
  return tags.filter((tag): tag is string => typeof tag === 'string');
}

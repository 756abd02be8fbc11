/**
 * Reads every page of Docker Hub's tags API for an image (memoised per image for the client's life). With docker.io
 * credentials every page carries the Hub login's token (private repositories answer 401 or 404 without it); a 401
 * logs in again once. The API is an optimisation: when it cannot answer (a private repository without a login, its
 * own rate limit, an outage) the answer is null and the registry's tag list and manifests are used instead.
 */
import { ArchpinError } from '../core/errors.js';
import type { HubLogin } from './hub-login.js';
import { DEFAULT_HUB_API_URL } from '../core/registry-defaults.js';
import { hubTagsUrl, parseHubTagsPage, type HubTag } from './hub-tags.js';
import { readCappedBody } from './read-body.js';
import { MAX_TAG_PAGE_BYTES, parseJson, tooLargeAs, type ImageLocation, type RegistryContext } from './registry-context.js';
import { RegistryError } from './registry-errors.js';

export type HubTagsReader = (image: ImageLocation) => Promise<ReadonlyMap<string, HubTag> | null>;

export function createHubTagsReader(ctx: RegistryContext, hubApiUrl: string = DEFAULT_HUB_API_URL, login: HubLogin | null = null): HubTagsReader {
  const memo = new Map<string, Promise<ReadonlyMap<string, HubTag> | null>>();

  async function read(image: ImageLocation): Promise<ReadonlyMap<string, HubTag> | null> {
    let url = hubTagsUrl(hubApiUrl, image.repository);
    if (url === null) return null;
    const origin = url.origin;
    ctx.hostIs(url.host, image.registry);
    const byName = new Map<string, HubTag>();
    const what = `GET Hub tags ${image.registry}/${image.repository}`;
    const seen = new Set<string>();
    try {
      for (let page = 0; url !== null && page < ctx.maxTagPages && byName.size < ctx.maxTags && !seen.has(url.href); page++) {
        seen.add(url.href);
        const pageUrl: URL = url;
        const get = (authorization: string | null) =>
          ctx.sendPlain({
            kind: 'hub-tags',
            method: 'GET',
            url: pageUrl,
            target: null,
            authorization,
            what,
            read: async (response) => parseJson(await readCappedBody(response, tooLargeAs('registry-bad-response', MAX_TAG_PAGE_BYTES, what)), what),
          });
        const authorization = login === null ? null : await login.header(false);
        let body: unknown;
        try {
          body = await get(authorization);
        } catch (error) {
          // The token expired early or was revoked: one new login, one more try.
          if (!(error instanceof RegistryError) || error.status !== 401 || authorization === null || login === null) throw error;
          const renewed = await login.header(true);
          if (renewed === null) throw error;
          body = await get(renewed);
        }
        const parsed = parseHubTagsPage(body, what);
        for (const tag of parsed.tags) if (!byName.has(tag.name)) byName.set(tag.name, tag);
        url = sameOrigin(parsed.next, pageUrl, origin);
      }
    } catch (error) {
      if (error instanceof RegistryError || error instanceof ArchpinError) return null;
      throw error;
    }
    return byName;
  }

  return (image) => {
    if (!ctx.profileOf(image.registry).hubTagsApi) return Promise.resolve(null);
    const key = `${image.registry}/${image.repository}`;
    let known = memo.get(key);
    if (known === undefined) {
      known = read(image);
      memo.set(key, known);
    }
    return known;
  };
}

/** The API's `next` page, only on the API's own origin. */
function sameOrigin(next: string | null, pageUrl: URL, origin: string): URL | null {
  if (next === null) return null;
  try {
    const url = new URL(next, pageUrl);
    return url.origin === origin ? url : null;
  } catch {
    return null;
  }
}

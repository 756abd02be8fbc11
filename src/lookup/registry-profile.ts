/**
 * What each kind of registry does its own way: tag-list pagination and order, auth scopes, the token user
 * name for bare tokens, and where release times come from. The client asks the profile; it never tests a
 * host name itself. The kind comes from the host name, from the first answers (headers, challenges), or
 * from `registries.<host>.kind`.
 */

import type { RegistryKind } from '../core/registry-kind.js';

export type { RegistryKind } from '../core/registry-kind.js';

export interface RegistryProfile {
  readonly kind: RegistryKind;
  /** `n` sent with the first tags/list request; null: send none (the server ignores it or pages on its own). */
  readonly pageSize: number | null;
  /** How the next page is found: a `Link` header, an opaque `next_page` token in the body, or not at all. */
  readonly pagination: 'link' | 'next-page-token' | 'none';
  /** The Link's path is not to be trusted (Artifactory drops the virtual repository): keep our own path, take its query. */
  readonly linkQueryOnly: boolean;
  /** Tags come oldest first: every page must be read before the newest is known. */
  readonly oldestFirst: boolean;
  /** Answers such as 405 or 400 to a large `n` are retried once without `n`. */
  readonly retryWithoutPageSize: boolean;
  /** User name that goes with a bare token (`tokenEnv`, `tokenFile`) for Basic auth or the token realm. */
  readonly tokenUsername: string;
  /** Release times, best first: the Hub tags API, the image config's `created`, the manifest's `Last-Modified`. */
  readonly timestamps: readonly ReleaseTimeSource[];
  /** Docker Hub: platforms, digests and push times come from the Hub tags API, which costs no pull. */
  readonly hubTagsApi: boolean;
}

export type ReleaseTimeSource = 'tag-last-pushed' | 'image-created' | 'last-modified';

const BASE: RegistryProfile = {
  kind: 'distribution',
  pageSize: 1000,
  pagination: 'link',
  linkQueryOnly: false,
  oldestFirst: false,
  retryWithoutPageSize: true,
  tokenUsername: 'token',
  timestamps: ['image-created', 'last-modified'],
  hubTagsApi: false,
};

const PROFILES: Readonly<Record<RegistryKind, RegistryProfile>> = {
  distribution: BASE,
  dockerhub: { ...BASE, kind: 'dockerhub', timestamps: ['tag-last-pushed', 'image-created'], hubTagsApi: true },
  // GHCR wants a token exchange even for public images (the 401 challenge drives it) and lists tags oldest first.
  ghcr: { ...BASE, kind: 'ghcr', oldestFirst: true },
  // Quay pages with an opaque token in the body, oldest first.
  quay: { ...BASE, kind: 'quay', pageSize: 100, pagination: 'next-page-token', oldestFirst: true, tokenUsername: '$oauthtoken' },
  // ECR caps a page at 1000 and answers Basic challenges; some ECR proxies refuse a large n with 405.
  ecr: { ...BASE, kind: 'ecr', tokenUsername: 'AWS' },
  // gcr.io and Artifact Registry return every tag in one answer.
  gcr: { ...BASE, kind: 'gcr', pageSize: null, pagination: 'none', tokenUsername: 'oauth2accesstoken' },
  // ACR ignores n and returns up to 1000 per page, linking the next.
  acr: { ...BASE, kind: 'acr', pageSize: null, tokenUsername: '00000000-0000-0000-0000-000000000000' },
  harbor: { ...BASE, kind: 'harbor', pageSize: 100 },
  // Artifactory's Link drops the virtual-repository prefix of the path.
  artifactory: { ...BASE, kind: 'artifactory', pageSize: 100, linkQueryOnly: true },
  gitlab: { ...BASE, kind: 'gitlab', pageSize: 100 },
};

export function registryProfile(kind: RegistryKind): RegistryProfile {
  return PROFILES[kind];
}

/** The kind a registry name announces by itself; `distribution` when it says nothing. */
export function kindFromHost(registry: string): RegistryKind {
  const host = registry.toLowerCase().replace(/:\d+$/, '');
  if (host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io') return 'dockerhub';
  if (host === 'ghcr.io' || host === 'docker.pkg.github.com') return 'ghcr';
  if (host === 'quay.io' || host.endsWith('.quay.io')) return 'quay';
  if (/\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(host) || host === 'public.ecr.aws') return 'ecr';
  if (host === 'gcr.io' || host.endsWith('.gcr.io') || host.endsWith('-docker.pkg.dev')) return 'gcr';
  if (/\.azurecr\.(io|cn|us)$/.test(host)) return 'acr';
  if (host.endsWith('.jfrog.io')) return 'artifactory';
  if (host === 'registry.gitlab.com') return 'gitlab';
  return 'distribution';
}

/**
 * What a first answer from an unnamed registry gives away: Artifactory's `X-Artifactory-Id`, Harbor's
 * `/service/token` realm, GitLab's `/jwt/auth` realm, ACR's `/oauth2/token` realm. Null when nothing does.
 */
export function kindFromAnswer(headers: { get(name: string): string | null }, realm: string | null): RegistryKind | null {
  if (headers.get('x-artifactory-id') !== null || /artifactory/i.test(headers.get('server') ?? '')) return 'artifactory';
  if (headers.get('x-harbor-csrf-token') !== null) return 'harbor';
  if (realm !== null) {
    let path: string;
    try {
      path = new URL(realm).pathname;
    } catch {
      return null;
    }
    if (path.endsWith('/service/token')) return 'harbor';
    if (path.endsWith('/jwt/auth')) return 'gitlab';
    if (path.endsWith('/oauth2/token')) return 'acr';
  }
  return null;
}

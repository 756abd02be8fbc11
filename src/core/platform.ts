/**
 * Container platforms (`os/architecture[/variant]`) and their normalisation, as containerd does it.
 *
 * Canonical spellings (what `formatPlatform(normalizePlatform(p))` prints):
 * - `x86_64`, `x86-64` → `amd64`; `amd64/v1` → `amd64` (v1 is the baseline); `amd64/v2`, `amd64/v3`, `amd64/v4` stay.
 * - `aarch64`, `arm64`, `arm64/8`, `arm64/v8.0` → `arm64/v8` (containerd drops the variant; we print it,
 *   as registries and `docker buildx` list it). `arm64/v9` etc. stay.
 * - `arm` without variant → `arm/v7`; `arm/7` → `arm/v7`; `armhf` → `arm/v7`; `armel` → `arm/v6`;
 *   `armv7l`/`armv6l`/`armv5l` → `arm/v7`/`arm/v6`/`arm/v5`.
 * - `i386`, `i686`, `x86` → `386`.
 * - os and architecture are lowercased; `macos` → `darwin`.
 */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant: string | null;
}

const SEGMENT = /^[A-Za-z0-9._-]+$/;

/** Parses `os/arch[/variant]`; returns null when it is not of that shape. Does not normalise. */
export function parsePlatform(text: string): Platform | null {
  const parts = text.trim().split('/');
  if (parts.length < 2 || parts.length > 3) return null;
  if (!parts.every((part) => SEGMENT.test(part))) return null;
  const [os = '', architecture = '', variant] = parts;
  return { os, architecture, variant: variant ?? null };
}

export function formatPlatform(platform: Platform): string {
  const base = `${platform.os}/${platform.architecture}`;
  return platform.variant ? `${base}/${platform.variant}` : base;
}

export function normalizePlatform(platform: Platform): Platform {
  const os = normalizeOs(platform.os);
  const { architecture, variant } = normalizeArchitecture(platform.architecture.toLowerCase(), platform.variant?.toLowerCase() || null);
  return { os, architecture, variant };
}

/** The canonical text of a platform: parse, normalise, format. Null when the text is not a platform. */
export function canonicalPlatform(text: string): string | null {
  const parsed = parsePlatform(text);
  return parsed ? formatPlatform(normalizePlatform(parsed)) : null;
}

/** The canonical text of a platform record. */
export function platformKey(platform: Platform): string {
  return formatPlatform(normalizePlatform(platform));
}

function normalizeOs(os: string): string {
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

function normalizeArchitecture(architecture: string, variant: string | null): { architecture: string; variant: string | null } {
  switch (architecture) {
    case 'i386':
    case 'i686':
    case 'x86':
    case '386':
      return { architecture: '386', variant: null };
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      return { architecture: 'amd64', variant: variant === null || variant === 'v1' || variant === '1' ? null : withV(variant) };
    case 'aarch64':
    case 'arm64':
      return { architecture: 'arm64', variant: normalizeArm64Variant(variant) };
    case 'armhf':
      return { architecture: 'arm', variant: 'v7' };
    case 'armel':
      return { architecture: 'arm', variant: 'v6' };
    case 'armv7l':
    case 'armv7':
      return { architecture: 'arm', variant: 'v7' };
    case 'armv6l':
    case 'armv6':
      return { architecture: 'arm', variant: 'v6' };
    case 'armv5l':
    case 'armv5':
      return { architecture: 'arm', variant: 'v5' };
    case 'arm':
      return { architecture: 'arm', variant: variant === null ? 'v7' : withV(variant) };
    default:
      return { architecture, variant };
  }
}

function normalizeArm64Variant(variant: string | null): string {
  if (variant === null) return 'v8';
  const v = withV(variant);
  return v === 'v8.0' ? 'v8' : v === 'v9.0' ? 'v9' : v;
}

/** `7` → `v7`; anything already starting with `v` is kept. */
function withV(variant: string): string {
  return /^\d/.test(variant) ? `v${variant}` : variant;
}

/** amd64 micro-architecture level: baseline (no variant) is 1; `v2`, `v3`, `v4` are 2..4; anything else is null. */
function amd64Level(variant: string | null): number | null {
  if (variant === null) return 1;
  const match = /^v([1-4])$/.exec(variant);
  return match ? Number(match[1]) : null;
}

/**
 * Whether an image built for `offered` runs where `required` is asked for.
 *
 * Exact match after normalisation (so `386` never satisfies `amd64`, `arm/v6` never satisfies `arm/v7`,
 * `arm64` and `arm64/v8` are the same), with one documented exception: amd64 micro-architecture levels.
 * A host at level N runs images built for levels ≤ N, so a required `linux/amd64/v3` is satisfied by
 * `linux/amd64` (baseline), `linux/amd64/v2` or `linux/amd64/v3`, while a required `linux/amd64`
 * (baseline) is satisfied only by a baseline image: an index offering only `linux/amd64/v3` leaves older
 * CPUs without an image.
 */
export function platformSatisfies(required: Platform | string, offered: Platform | string): boolean {
  const want = toNormalized(required);
  const have = toNormalized(offered);
  if (want === null || have === null) return false;
  if (want.os !== have.os || want.architecture !== have.architecture) return false;
  if (want.architecture === 'amd64') {
    const wantLevel = amd64Level(want.variant);
    const haveLevel = amd64Level(have.variant);
    if (wantLevel !== null && haveLevel !== null) return haveLevel <= wantLevel;
  }
  return want.variant === have.variant;
}

function toNormalized(platform: Platform | string): Platform | null {
  if (typeof platform !== 'string') return normalizePlatform(platform);
  const parsed = parsePlatform(platform);
  return parsed ? normalizePlatform(parsed) : null;
}

/** Deterministic order for platform texts (plain code-unit order). */
export function comparePlatformKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

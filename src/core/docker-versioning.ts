/**
 * Docker-style tag versioning (pure): `[v]<n>[.<n>…][<prerelease>][-<suffix>]`.
 *
 * - `27.0.3-dind` → prefix '', release [27, 0, 3], prerelease null, suffix '-dind'.
 * - `v1.2.3` → prefix 'v' (kept as part of the format: a candidate must have it too).
 * - `28.0.0-rc.1-dind` → prerelease 'rc.1', suffix '-dind'; `3.13.0rc1` → prerelease 'rc1'.
 *   A prerelease is `alpha`, `beta`, `rc`, `pre` or `preview` (optionally followed by digits, `.` or `-`
 *   and digits) right after the number, with or without a hyphen; `a1`/`b1` only without one (`3.13.0a1`).
 * - `20240101` is a one-component (calendar) version.
 *
 * A candidate is compatible with the current tag when it has the same prefix, the same number of release
 * components and the same suffix. Prereleases: a user on a stable tag is never offered a prerelease; a user
 * on a prerelease is offered newer prereleases and newer finals of the same format (`28.0.0-rc.1` → `28.0.0`).
 * Calendar or build-number majors (6 digits or more) are never compatible with small ones (`3` → `20240101`).
 * Tags that do not parse (`latest`, `stable`, `bookworm`) get no candidates: digest updates only.
 */
export interface DockerTag {
  /** `v` or ''. */
  readonly prefix: string;
  readonly release: readonly number[];
  /** `rc.1`, `beta2`, `rc1`… without the leading hyphen; null for a final release. */
  readonly prerelease: string | null;
  /** Everything after the version, with its leading hyphen (`-dind`, `-alpine3.20`), or ''. */
  readonly suffix: string;
}

export type UpdateType = 'major' | 'minor' | 'patch' | 'digest';

const VERSION = /^(v?)(\d{1,15}(?:\.\d{1,15})*)(.*)$/;
const PRERELEASE_HYPHEN = /^-((?:alpha|beta|rc|pre|preview)(?:[.-]?\d+)?)(?=$|-)/i;
const PRERELEASE_PLAIN = /^((?:alpha|beta|rc|pre|preview)(?:[.-]?\d+)?|[ab]\d+)(?=$|-)/i;
const PRERELEASE_ORDER = ['alpha', 'a', 'beta', 'b', 'pre', 'preview', 'rc'];
const CALENDAR_DIGITS = 6;

export function parseDockerTag(tag: string): DockerTag | null {
  const match = VERSION.exec(tag);
  if (!match) return null;
  // The pattern's groups always take part in a match; the defaults only satisfy the compiler.
  const [, prefix = '', digits = '', tail = ''] = match;
  const release = digits.split('.').map(Number);
  let rest = tail;
  let prerelease: string | null = null;
  const pre = PRERELEASE_HYPHEN.exec(rest) ?? PRERELEASE_PLAIN.exec(rest);
  if (pre) {
    const [whole, name = ''] = pre;
    prerelease = name;
    rest = rest.slice(whole.length);
  }
  if (rest !== '' && !/^-[\w][\w.-]*$/.test(rest)) return null;
  return { prefix, release, prerelease, suffix: rest };
}

function toTag(value: string | DockerTag): DockerTag | null {
  return typeof value === 'string' ? parseDockerTag(value) : value;
}

/** Same prefix, component count and suffix; no prerelease offered to a user on a stable tag; calendar majors stay apart. */
export function isCompatible(current: string | DockerTag, candidate: string | DockerTag): boolean {
  const a = toTag(current);
  const b = toTag(candidate);
  if (!a || !b) return false;
  if (a.prefix !== b.prefix || a.release.length !== b.release.length || a.suffix !== b.suffix) return false;
  if (b.prerelease !== null && a.prerelease === null) return false;
  const calendarA = String(a.release[0]).length >= CALENDAR_DIGITS;
  const calendarB = String(b.release[0]).length >= CALENDAR_DIGITS;
  return calendarA === calendarB;
}

/**
 * Orders tags by version: release numerically, then a final after its prereleases (alpha < beta < pre <
 * rc, then their numbers). Ties (same version, different format) break on the tag text so the order is
 * total. Tags that do not parse sort before all versions, among themselves by text.
 */
export function compareTags(a: string, b: string): number {
  const x = parseDockerTag(a);
  const y = parseDockerTag(b);
  if (!x || !y) {
    if (x) return 1;
    if (y) return -1;
    return textOrder(a, b);
  }
  return compareVersions(x, y) || textOrder(a, b);
}

function compareVersions(x: DockerTag, y: DockerTag): number {
  const length = Math.max(x.release.length, y.release.length);
  for (let i = 0; i < length; i += 1) {
    const diff = (x.release[i] ?? 0) - (y.release[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  if (x.prerelease === y.prerelease) return 0;
  if (x.prerelease === null) return 1;
  if (y.prerelease === null) return -1;
  return comparePrerelease(x.prerelease, y.prerelease);
}

function comparePrerelease(a: string, b: string): number {
  const [kindA, numberA] = splitPrerelease(a);
  const [kindB, numberB] = splitPrerelease(b);
  return Math.sign(PRERELEASE_ORDER.indexOf(kindA) - PRERELEASE_ORDER.indexOf(kindB)) || Math.sign(numberA - numberB);
}

function splitPrerelease(text: string): [string, number] {
  const match = /^([a-z]+)[.-]?(\d*)$/i.exec(text);
  if (!match) return [text.toLowerCase(), 0];
  const [, kind = '', number = ''] = match;
  return [kind.toLowerCase(), number ? Number(number) : 0];
}

function textOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The kind of update from `current` to `candidate`: the first release component that grows decides
 * (0 → major, 1 → minor, later → patch); a prerelease becoming its final, or a newer prerelease of the same
 * release, is a patch; the same tag is a digest update. Null when the tags are not compatible or the
 * candidate is not newer. A tag that does not parse only has digest updates of itself.
 */
export function updateType(current: string, candidate: string): UpdateType | null {
  if (current === candidate) return 'digest';
  const a = parseDockerTag(current);
  const b = parseDockerTag(candidate);
  if (!a || !b || !isCompatible(a, b)) return null;
  if (compareVersions(a, b) >= 0) return null;
  const index = a.release.findIndex((value, i) => value !== b.release[i]);
  if (index === -1) return 'patch';
  return index === 0 ? 'major' : index === 1 ? 'minor' : 'patch';
}

export interface PickOptions {
  readonly allowMajor: boolean;
}

/** Compatible tags strictly newer than `currentTag`, newest first, without majors unless allowed. */
export function pickCandidates(currentTag: string, allTags: readonly string[], options: PickOptions): string[] {
  const current = parseDockerTag(currentTag);
  if (!current) return [];
  const picked: { tag: string; parsed: DockerTag }[] = [];
  for (const tag of new Set(allTags)) {
    const parsed = parseDockerTag(tag);
    if (!parsed || !isCompatible(current, parsed) || compareVersions(current, parsed) >= 0) continue;
    if (!options.allowMajor && parsed.release[0] !== current.release[0]) continue;
    picked.push({ tag, parsed });
  }
  picked.sort((x, y) => compareVersions(y.parsed, x.parsed) || textOrder(x.tag, y.tag));
  return picked.map((entry) => entry.tag);
}

/**
 * Version schemes for tags (pure), chosen per image with `packageRules[].versioning`:
 *
 * - `docker` (default): see docker-versioning.ts.
 * - `semver`: `[v]MAJOR.MINOR.PATCH[-prerelease]` exactly (SemVer 2.0 precedence for prereleases).
 * - `loose`: `[v]<n>[.<n>…][<rest>]`; any number of components (`1.2` → `1.2.1`), the rest must match.
 * - `regex:<pattern>`: named groups `major`, `minor`, `patch`, `build`, `revision` (numbers, compared in that
 *   order), `prerelease` (a user on a tag without one is never offered one) and `compatibility` (must equal
 *   the current tag's). Bitnami: `regex:^(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)-(?<compatibility>.+)-r(?<revision>\d+)$`
 *   moves `7.2.4-debian-12-r0` to `7.2.4-debian-12-r9` (a patch) and to `7.2.5-debian-12-r0`.
 */
import { compareTags, parseDockerTag, pickCandidates as pickDocker, updateType as dockerUpdateType, type UpdateType } from './docker-versioning.js';

export interface Versioning {
  /** Compatible tags strictly newer than `current`, newest first; majors only when allowed. */
  candidates(current: string, tags: readonly string[], options: { allowMajor: boolean }): string[];
  /** major / minor / patch from `current` to `candidate`, digest for the same tag; null when not a compatible newer tag. */
  updateType(current: string, candidate: string): UpdateType | null;
  /** The release numbers of a tag (for `allowedVersions` and `matchCurrentVersion` ranges); null when it does not parse. */
  release(tag: string): readonly number[] | null;
}

interface Parsed {
  readonly release: readonly number[];
  readonly prerelease: string | null;
  /** Tags are compatible only with the same key (prefix, suffix, compatibility group). */
  readonly compatibility: string;
}

/** Checks a `versioning` value; the message names the problem. */
export function versioningProblem(spec: string): string | null {
  if (spec === 'docker' || spec === 'semver' || spec === 'loose') return null;
  if (!spec.startsWith('regex:')) return `unknown versioning "${spec}": use docker, semver, loose or regex:<pattern>`;
  let pattern: RegExp;
  try {
    pattern = new RegExp(spec.slice('regex:'.length));
  } catch (error) {
    return `versioning ${spec}: not a valid regular expression (${error instanceof Error ? error.message : String(error)})`;
  }
  if (!/\(\?<major>/.test(pattern.source)) return `versioning ${spec}: the pattern needs a named group "major", e.g. (?<major>\\d+)`;
  return null;
}

const SEMVER = /^(v?)(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;
const LOOSE = /^(v?)(\d{1,15}(?:\.\d{1,15})*)(.*)$/;
const NUMBER_GROUPS = ['major', 'minor', 'patch', 'build', 'revision'] as const;

function parser(spec: string): (tag: string) => Parsed | null {
  if (spec === 'semver') {
    return (tag) => {
      const match = SEMVER.exec(tag);
      return match ? { release: [Number(match[2]), Number(match[3]), Number(match[4])], prerelease: match[5] ?? null, compatibility: match[1] ?? '' } : null;
    };
  }
  if (spec === 'loose') {
    return (tag) => {
      const match = LOOSE.exec(tag);
      return match ? { release: (match[2] ?? '').split('.').map(Number), prerelease: null, compatibility: `${match[1]}|${match[3]}` } : null;
    };
  }
  const pattern = new RegExp(spec.slice('regex:'.length));
  const groups = NUMBER_GROUPS.filter((name) => pattern.source.includes(`(?<${name}>`));
  return (tag) => {
    // Docker tags are at most 128 characters; nothing longer is matched.
    const match = tag.length > 128 ? null : pattern.exec(tag);
    const found = match?.groups;
    if (!found) return null;
    const release = groups.map((name) => Number(found[name] ?? 0));
    if (release.some((value) => !Number.isSafeInteger(value))) return null;
    return { release, prerelease: found['prerelease'] || null, compatibility: found['compatibility'] ?? '' };
  };
}

function compareNumbers(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

/** SemVer precedence of prerelease identifiers; a final release is newer than its prereleases. */
function comparePrerelease(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i += 1) {
    const left = x[i];
    const right = y[i];
    if (left === undefined) return -1;
    if (right === undefined) return 1;
    const numeric = /^\d+$/.test(left) && /^\d+$/.test(right);
    const diff = numeric ? Number(left) - Number(right) : left < right ? -1 : left > right ? 1 : 0;
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

const compare = (a: Parsed, b: Parsed): number => compareNumbers(a.release, b.release) || comparePrerelease(a.prerelease, b.prerelease);

function compatible(current: Parsed, candidate: Parsed): boolean {
  return current.compatibility === candidate.compatibility && !(candidate.prerelease !== null && current.prerelease === null);
}

function typeOf(a: Parsed, b: Parsed): UpdateType {
  const index = a.release.findIndex((value, i) => value !== (b.release[i] ?? 0));
  if (index === -1 && b.release.length > a.release.length && b.release.slice(a.release.length).some((value) => value !== 0)) return 'patch';
  return index === 0 ? 'major' : index === 1 ? 'minor' : 'patch';
}

/** The versioning for a spec already checked with versioningProblem. */
export function versioningFor(spec: string): Versioning {
  if (spec === 'docker') {
    return {
      candidates: (current, tags, options) => pickDocker(current, tags, options),
      updateType: dockerUpdateType,
      release: (tag) => parseDockerTag(tag)?.release ?? null,
    };
  }
  const parse = parser(spec);
  return {
    candidates(currentTag, tags, options) {
      const current = parse(currentTag);
      if (current === null) return [];
      const picked: Array<{ tag: string; parsed: Parsed }> = [];
      for (const tag of new Set(tags)) {
        const parsed = parse(tag);
        if (parsed === null || !compatible(current, parsed) || compare(parsed, current) <= 0) continue;
        if (!options.allowMajor && parsed.release[0] !== current.release[0]) continue;
        picked.push({ tag, parsed });
      }
      picked.sort((x, y) => compare(y.parsed, x.parsed) || compareTags(x.tag, y.tag));
      return picked.map((entry) => entry.tag);
    },
    updateType(currentTag, candidateTag) {
      if (currentTag === candidateTag) return 'digest';
      const a = parse(currentTag);
      const b = parse(candidateTag);
      if (a === null || b === null || !compatible(a, b) || compare(b, a) <= 0) return null;
      return typeOf(a, b);
    },
    release: (tag) => parse(tag)?.release ?? null,
  };
}

/**
 * Whether a tag satisfies a constraint (`allowedVersions`, `matchCurrentVersion`): `/regex/` (or `!/regex/`) on
 * the tag text, else comparators on the version numbers joined by spaces (all must hold) and `||` (any group):
 * `<2`, `>=1.25 <1.27`, `1.2.3`, `<8 || >=10`. A tag whose version does not parse satisfies only a regex.
 */
export function satisfies(tag: string, constraint: string, versioning: Versioning): boolean {
  const regex = /^(!?)\/(.*)\/([a-z]*)$/.exec(constraint.trim());
  if (regex) return new RegExp(regex[2] ?? '', regex[3]).test(tag) !== (regex[1] === '!');
  const release = versioning.release(tag);
  if (release === null) return false;
  return constraint.split('||').some((group) =>
    group
      .trim()
      .split(/\s+/)
      .filter((part) => part !== '')
      .every((part) => {
        const match = /^(<=|>=|<|>|=)?v?(\d+(?:\.\d+)*)$/.exec(part);
        if (!match) return false;
        const order = compareNumbers(release, (match[2] ?? '').split('.').map(Number));
        switch (match[1]) {
          case '<':
            return order < 0;
          case '<=':
            return order <= 0;
          case '>':
            return order > 0;
          case '>=':
            return order >= 0;
          default:
            return order === 0;
        }
      }),
  );
}

/** Checks an `allowedVersions` / `matchCurrentVersion` value; the message names the problem. */
export function constraintProblem(constraint: string): string | null {
  const regex = /^(!?)\/(.*)\/([a-z]*)$/.exec(constraint.trim());
  if (regex) {
    try {
      new RegExp(regex[2] ?? '', regex[3]);
      return null;
    } catch (error) {
      return `not a valid regular expression (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  const parts = constraint.split('||').flatMap((group) => group.trim().split(/\s+/));
  const bad = parts.find((part) => !/^(<=|>=|<|>|=)?v?\d+(?:\.\d+)*$/.test(part));
  return bad === undefined ? null : `"${bad}" is not a version comparison: use e.g. "<2", ">=1.25 <1.27", "<8 || >=10" or "/^1\\.2[0-9.]*$/"`;
}

// npm's range syntax for `engines.node` (`||`, hyphen ranges, ^, ~, x, comparators), enough to ask whether a
// Node version is inside a range; prerelease tags are ignored.

/** `22.13.0` → [22, 13, 0]; a partial version keeps null for what it leaves out (`22` → [22, null, null]). */
export function parts(text) {
  const match = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:[-+].*)?$/.exec(text);
  if (!match) return null;
  const value = (part) => (part === undefined || /^[xX*]$/.test(part) ? null : Number(part));
  const [major, minor, patch] = [value(match[1]), value(match[2]), value(match[3])];
  return [major, major === null ? null : minor, minor === null ? null : patch];
}

const compare = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
export const filled = ([major, minor, patch]) => [major ?? 0, minor ?? 0, patch ?? 0];

/** One comparator (`>=20.19.0`, `^22.13`, `~1.2`, `20.x`, `18`) as [operator, version] bounds. */
function bounds(token) {
  const match = /^(>=|<=|>|<|=|\^|~)?(.*)$/.exec(token);
  const operator = match[1] ?? '=';
  const version = parts(match[2]);
  if (version === null) throw new Error(`cannot read the version in "${token}"`);
  const [major, minor, patch] = version;
  if (major === null) return [];
  const low = filled(version);
  const next = minor === null ? [major + 1, 0, 0] : patch === null ? [major, minor + 1, 0] : null;
  switch (operator) {
    case '>=':
      return [['>=', low]];
    case '>':
      return [next ? ['>=', next] : ['>', low]];
    case '<':
      return [['<', low]];
    case '<=':
      return [next ? ['<', next] : ['<=', low]];
    case '~':
      return [
        ['>=', low],
        ['<', minor === null ? [major + 1, 0, 0] : [major, minor + 1, 0]],
      ];
    case '^': {
      const upper = major > 0 || minor === null ? [major + 1, 0, 0] : minor > 0 || patch === null ? [0, minor + 1, 0] : [0, 0, patch + 1];
      return [
        ['>=', low],
        ['<', upper],
      ];
    }
    default:
      return next
        ? [
            ['>=', low],
            ['<', next],
          ]
        : [['=', low]];
  }
}

/** Whether `version` ([major, minor, patch]) is inside an npm range (`||`, hyphen ranges, ^, ~, x, comparators). */
export function satisfies(version, range) {
  return range.split('||').some((set) => {
    const text = set.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1');
    if (text === '' || text === '*' || /^[xX]$/.test(text)) return true;
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text);
    const tokens = hyphen ? [`>=${hyphen[1]}`, `<=${hyphen[2]}`] : text.split(/\s+/);
    return tokens
      .flatMap(bounds)
      .every(([operator, bound]) => {
        const order = compare(version, bound);
        return operator === '>=' ? order >= 0 : operator === '>' ? order > 0 : operator === '<' ? order < 0 : operator === '<=' ? order <= 0 : order === 0;
      });
  });
}

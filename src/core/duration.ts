const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

/** Parses `4 hours`, `30 minutes`, `1d`, `90s`, `1 day 2 hours` into milliseconds; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '') return null;
  if (/^\d+$/.test(trimmed)) return null;
  let total = 0;
  let rest = trimmed;
  const part = /^(\d+(?:\.\d+)?)\s*([a-z]+)\s*,?\s*/;
  while (rest.length > 0) {
    const match = part.exec(rest);
    if (!match) return null;
    const [whole, amount = '', name = ''] = match;
    const unit = UNITS[name];
    if (unit === undefined) return null;
    total += Number(amount) * unit;
    rest = rest.slice(whole.length);
  }
  return Math.round(total);
}

const FORMAT_UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/**
 * A duration for messages: at most two adjacent units, rounded down.
 * `14_400_000` → `4h`; `5_400_000` → `1h 30m`; `3_630_000` → `1h`; under a second → `0s`.
 */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.floor(ms));
  const parts: string[] = [];
  for (const [unit, size] of FORMAT_UNITS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count}${unit}`);
    else if (parts.length > 0) break;
    if (parts.length === 2) break;
  }
  return parts.length > 0 ? parts.join(' ') : '0s';
}

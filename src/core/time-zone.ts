import { nearest } from './platform-vocabulary.js';

/** Why `zone` is not an IANA time zone this runtime knows (with the nearest one), or null when it is. */
export function timeZoneProblem(zone: string): string | null {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return null;
  } catch {
    const guess = nearest(zone, Intl.supportedValuesOf('timeZone'));
    return `unknown time zone "${zone}"; ${guess ? `did you mean "${guess}"?` : 'use an IANA name such as "Europe/Berlin" or "UTC"'}`;
  }
}

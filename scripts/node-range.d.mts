/** [major, minor, patch]; null where a partial version (`22`, `22.x`) leaves a part out. */
export type VersionParts = [number | null, number | null, number | null];

export function parts(text: string): VersionParts | null;
export function filled(version: VersionParts): [number, number, number];
/** Whether `version` is inside an npm range such as `^20.19.0 || ^22.13.0 || >=24`; throws on a version it cannot read. */
export function satisfies(version: readonly [number, number, number], range: string): boolean;

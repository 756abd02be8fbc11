/** Keys whose value is an object merged key by key (the extending file's keys win, recursively). */
const OBJECT_KEYS = new Set(['registries', 'mirrors', 'registryTimeouts', 'forge', 'serve', 'chain']);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Where a value of the merged config was written: the file (its index in the merge order) and its path in that file. */
export interface Origin {
  readonly layer: number;
  readonly path: readonly PropertyKey[];
}

export interface MergedLayers {
  readonly value: Record<string, unknown>;
  /** Where the value at `path` of the merged config comes from; null when no file has it. */
  origin(path: readonly PropertyKey[]): Origin | null;
  /** The values a later file replaced, in merge order: still validated, each where its own file wrote it. */
  readonly overridden: readonly Overridden[];
}

/** A value one file wrote and a later file replaced: at `path` of the merged config, written at `origin`. */
export interface Overridden {
  readonly path: readonly PropertyKey[];
  readonly origin: Origin;
  readonly value: unknown;
}

const pathKey = (path: readonly PropertyKey[]): string => path.map(String).join('\u0000');

/**
 * Merges the files of an `extends` chain, in order (each file on top of those before it): `packageRules` are
 * concatenated (the earlier files' first, so the later rules win), objects (`registries`, `mirrors`, `registryTimeouts`,
 * `forge`, `serve`, `chain`) are merged key by key, and every other key (scalars and lists such as `platforms`, `labels`,
 * `ignorePaths`) is replaced. `extends` and `$schema` are dropped. The values are as read, not yet validated: the
 * merged result is validated once, and `origin` leads each problem back to the file and place it was written. Pure.
 */
export function mergeLayers(layers: readonly Record<string, unknown>[]): MergedLayers {
  const origins = new Map<string, Origin>();
  const forget = (path: readonly PropertyKey[]) => {
    const prefix = pathKey(path);
    for (const key of origins.keys()) if (key === prefix || key.startsWith(`${prefix}\u0000`)) origins.delete(key);
  };
  const remember = (value: unknown, path: readonly PropertyKey[], origin: Origin) => {
    origins.set(pathKey(path), origin);
    if (Array.isArray(value)) value.forEach((item, index) => remember(item, [...path, index], { layer: origin.layer, path: [...origin.path, index] }));
    else if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) remember(item, [...path, key], { layer: origin.layer, path: [...origin.path, key] });
  };
  const overridden: Overridden[] = [];
  const replace = (target: Record<string, unknown>, key: string, value: unknown, path: readonly PropertyKey[], origin: Origin) => {
    const previous = origins.get(pathKey(path));
    if (key in target && previous !== undefined) overridden.push({ path, origin: previous, value: target[key] });
    forget(path);
    target[key] = value;
    remember(value, path, origin);
  };
  const deepMerge = (target: Record<string, unknown>, over: Record<string, unknown>, path: readonly PropertyKey[], layer: number, filePath: readonly PropertyKey[]) => {
    origins.set(pathKey(path), { layer, path: filePath });
    for (const [key, value] of Object.entries(over)) {
      const before = target[key];
      if (isPlainObject(before) && isPlainObject(value)) {
        const copy = { ...before };
        target[key] = copy;
        deepMerge(copy, value, [...path, key], layer, [...filePath, key]);
      } else replace(target, key, value, [...path, key], { layer, path: [...filePath, key] });
    }
  };

  const merged: Record<string, unknown> = {};
  layers.forEach((layer, index) => {
    origins.set('', { layer: index, path: [] });
    for (const [key, value] of Object.entries(layer)) {
      if (key === 'extends' || key === '$schema') continue;
      const before = merged[key];
      if (key === 'packageRules' && Array.isArray(before) && Array.isArray(value)) {
        merged[key] = [...(before as unknown[]), ...(value as unknown[])];
        origins.set(pathKey([key]), { layer: index, path: [key] });
        (value as unknown[]).forEach((rule, at) => remember(rule, [key, before.length + at], { layer: index, path: [key, at] }));
      } else if (OBJECT_KEYS.has(key) && isPlainObject(before) && isPlainObject(value)) {
        const copy = { ...before };
        merged[key] = copy;
        deepMerge(copy, value, [key], index, [key]);
      } else replace(merged, key, value, [key], { layer: index, path: [key] });
    }
  });
  return { value: merged, origin: (path) => origins.get(pathKey(path)) ?? null, overridden };
}

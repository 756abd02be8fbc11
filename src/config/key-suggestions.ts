import { z } from 'zod';
import { nearest } from '../core/platform-vocabulary.js';

/** The object schema a value at `path` must match, through optionals, arrays and records; null when there is none. */
function objectAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodObject | null {
  let current: z.ZodType = schema;
  let index = 0;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault) {
      current = current.unwrap() as z.ZodType;
      continue;
    }
    if (index === path.length) return current instanceof z.ZodObject ? current : null;
    const segment = path[index++];
    if (current instanceof z.ZodObject) {
      const next = (current.shape as Record<string, z.ZodType | undefined>)[String(segment)];
      if (next === undefined) return null;
      current = next;
    } else if (current instanceof z.ZodArray) current = current.element as z.ZodType;
    else if (current instanceof z.ZodRecord) current = current.valueType as z.ZodType;
    else return null;
  }
}

/** The keys an object at `path` may have. */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const object = objectAt(schema, path);
  return object ? Object.keys(object.shape) : [];
}

/** Every key of the schema with the path of the object that holds it: `schedule` → `serve`, `passwordEnv` → `registries.<host>`. */
function keyHomes(schema: z.ZodType): Map<string, string[]> {
  const homes = new Map<string, string[]>();
  const walk = (node: z.ZodType, where: string, depth: number): void => {
    if (depth > 8) return;
    if (node instanceof z.ZodOptional || node instanceof z.ZodNullable || node instanceof z.ZodDefault) {
      walk(node.unwrap() as z.ZodType, where, depth);
    } else if (node instanceof z.ZodArray) {
      walk(node.element as z.ZodType, `${where}[]`, depth + 1);
    } else if (node instanceof z.ZodRecord) {
      walk(node.valueType as z.ZodType, `${where}.<key>`, depth + 1);
    } else if (node instanceof z.ZodObject) {
      for (const [key, child] of Object.entries(node.shape)) {
        homes.set(key, [...(homes.get(key) ?? []), where]);
        walk(child as z.ZodType, where === '' ? key : `${where}.${key}`, depth + 1);
      }
    }
  };
  walk(schema, '', 0);
  return homes;
}

const homesCache = new WeakMap<z.ZodType, Map<string, string[]>>();

/**
 * What to say about a key the schema does not know at `path`: the nearest known key there
 * (`platfroms` → `platforms`), else where that key does belong (`schedule` → under `serve`), else the
 * keys that are allowed.
 */
export function unknownKeyMessage(schema: z.ZodType, path: readonly PropertyKey[], key: string): string {
  const known = keysAt(schema, path);
  const guess = nearest(key, known);
  if (guess !== null) return `unknown key; did you mean "${guess}"?`;
  let homes = homesCache.get(schema);
  if (homes === undefined) {
    homes = keyHomes(schema);
    homesCache.set(schema, homes);
  }
  const elsewhere = (homes.get(key) ?? []).map((where) => (where === '' ? '(top level)' : where));
  if (elsewhere.length > 0) return `unknown key here; it belongs in ${elsewhere.map((where) => `"${where}"`).join(' or ')}`;
  return `unknown key; known keys here: ${known.join(', ')}`;
}

/** The nearest allowed value of an enum, for "did you mean". */
export function nearestValue(value: unknown, values: readonly unknown[]): string | null {
  if (typeof value !== 'string') return null;
  return nearest(
    value,
    values.filter((choice): choice is string => typeof choice === 'string'),
  );
}

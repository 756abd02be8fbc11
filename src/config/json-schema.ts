import { z } from 'zod';
import { configSchema } from './schema.js';

/** The JSON Schema of archpin.json, generated from the zod schema (for editor completion). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { target: 'draft-7', io: 'input' }),
    $id: 'https://archpin.invalid/config.schema.json',
    title: 'archpin configuration',
  };
}

#!/usr/bin/env node
// Writes config.schema.json from the zod schema (run after `npm run build`): `npm run schema`.
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../dist/config/json-schema.js';

writeFileSync(new URL('../config.schema.json', import.meta.url), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log('config.schema.json written');

import { ArchpinError } from '../core/errors.js';
import { configSchema, type Config } from './schema.js';

/** Formats zod issues as `path: message` lines a user can act on. */
export function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues.map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`).join('\n');
}

/** Parses and validates a config file's text; errors name the file, the path and the fix. */
export function parseConfig(text: string, source: string): Config {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ArchpinError('config-invalid', `${source}: not valid JSON: ${(error as Error).message}`);
  }
  const result = configSchema.safeParse(json);
  if (!result.success) {
    throw new ArchpinError('config-invalid', `${source}:\n${describeIssues(result.error.issues)}`);
  }
  return result.data;
}

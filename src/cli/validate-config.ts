import { checkConfig } from '../config/parse-config.js';
import { configVariables, unsetVariableMessage } from '../config/environment-variables.js';
import { EXIT_OK, type CliIo, type ExitCode } from './io.js';
import { readNamedConfig } from './load-config.js';

/**
 * `archpin config validate FILE`: the checks every command makes when it reads the file (schema,
 * cron patterns, listen address, time zone, conflicting registry settings, line:column and "did you
 * mean"), plus a warning for each environment variable the config names that is not set here.
 */
export function validateConfigFile(file: string, io: CliIo): ExitCode {
  const { config, map } = checkConfig(readNamedConfig(file, io.cwd), file);
  for (const use of configVariables(config)) {
    const message = unsetVariableMessage(use, io.env);
    if (message === null) continue;
    const position = map.at(use.path);
    io.stderr(`archpin: warning: ${file}${position ? `:${position.line}:${position.column}` : ''}: ${message} in this environment\n`);
  }
  io.stdout(`${file}: valid\n`);
  return EXIT_OK;
}

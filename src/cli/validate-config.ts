import path from 'node:path';
import { configVariables, unsetVariableMessage } from '../config/environment-variables.js';
import { EXIT_OK, type CliIo, type ExitCode } from './io.js';
import { credentialFileProblems } from './credential-files.js';
import { readConfigChain, readNamedConfig } from './load-config.js';

/**
 * `archpin config validate FILE`: the checks every command makes when it reads the file (schema,
 * cron patterns, listen address, time zone, conflicting registry settings, line:column and "did you
 * mean"), plus a warning for each environment variable the config names that is not set here. Its `extends` are
 * followed as `run` follows them (from the file's directory or the working directory) and the chain is checked as one
 * merged config; a problem or warning names the file that wrote the key.
 */
export async function validateConfigFile(file: string, io: CliIo): Promise<ExitCode> {
  const { config, place } = await readConfigChain(readNamedConfig(file, io.cwd), path.resolve(io.cwd, file), file, io.cwd);
  for (const use of configVariables(config)) {
    const message = unsetVariableMessage(use, io.env);
    if (message !== null) io.stderr(`archpin: warning: ${place(use.path)}: ${message} in this environment\n`);
  }
  for (const problem of credentialFileProblems(config, io.cwd)) io.stderr(`archpin: warning: ${place(problem.path)}: ${problem.message} in this environment\n`);
  io.stdout(`${file}: valid\n`);
  return EXIT_OK;
}

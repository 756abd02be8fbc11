import { runCli } from './cli/cli.js';

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  now: () => Date.now(),
  interactive: Boolean(process.stderr.isTTY),
});
process.exitCode = code;

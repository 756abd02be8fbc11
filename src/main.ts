import { runCli } from './cli/cli.js';

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  now: () => Date.now(),
  // isTTY is undefined when stderr is not a terminal, though it is typed boolean.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion
  interactive: Boolean(process.stderr.isTTY),
  // The first SIGINT asks the command to stop and report what it has; a second one exits at once.
  onInterrupt: (handler) => {
    let count = 0;
    const on = (): void => {
      count += 1;
      if (count > 1) process.exit(130);
      handler();
    };
    process.on('SIGINT', on);
    return () => process.off('SIGINT', on);
  },
});
process.exitCode = code;

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
  // The first SIGINT (or SIGTERM, where the command asks for it) asks the command to stop and report what it has;
  // a second one exits at once.
  onInterrupt: (handler, also = []) => {
    const signals = ['SIGINT' as const, ...also];
    let count = 0;
    const on = (signal: NodeJS.Signals): void => {
      count += 1;
      if (count > 1) process.exit(signal === 'SIGTERM' ? 143 : 130);
      handler(signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
    };
    for (const signal of signals) process.on(signal, on);
    return () => {
      for (const signal of signals) process.off(signal, on);
    };
  },
});
process.exitCode = code;

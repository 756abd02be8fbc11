/** What a command may touch of the process: streams, environment, clock. Built once in main.ts. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly now: () => number;
  /** Whether stderr is a terminal (progress lines are shown only then). */
  readonly interactive: boolean;
}

export type ExitCode = 0 | 1 | 2 | 3;
export const EXIT_OK: ExitCode = 0;
export const EXIT_PARTIAL: ExitCode = 1;
export const EXIT_USAGE: ExitCode = 2;
export const EXIT_UNSAFE: ExitCode = 3;

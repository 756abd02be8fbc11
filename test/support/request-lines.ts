/** One `registry request` line that `--log-level debug` writes to stderr (JSON). */
export interface RequestLine {
  level: number;
  msg: string;
  method: string;
  url: string;
  status: number | null;
  ms: number;
  error?: string;
}

/** The registry request lines in a command's stderr, in order. */
export const requestLines = (stderr: string): RequestLine[] =>
  stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as RequestLine)
    .filter((line) => line.msg === 'registry request');

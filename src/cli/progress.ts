import type { CliIo } from './io.js';

/** `looked up 12/40 images` on stderr, rewritten in place, only when stderr is a terminal. */
export function progressReporter(io: CliIo, noun: string): { update: (done: number, total: number) => void; done: () => void } {
  let shown = false;
  return {
    update(done, total) {
      if (!io.interactive) return;
      shown = true;
      io.stderr(`\rlooked up ${done}/${total} ${noun}`);
    },
    done() {
      if (shown) io.stderr('\r\x1b[K');
    },
  };
}

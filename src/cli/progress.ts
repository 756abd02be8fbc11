import type { CliIo } from './io.js';

export interface ProgressReporter {
  update(done: number, total: number): void;
  /** The registry host a request just went to. */
  host(name: string): void;
  /** Writes `text` (a whole log line) to stderr, above the progress line, which is drawn again under it. */
  write(text: string): void;
  done(): void;
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function elapsedText(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const clock = `${Math.floor((seconds % 3600) / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  return seconds >= 3600 ? `${Math.floor(seconds / 3600)}:${clock.padStart(5, '0')}` : clock;
}

/**
 * `looked up 12/40 images · registry.example.com · 0:07` on stderr (`run`: `swept 3/10 repositories · …`), rewritten
 * in place every second and on each change, only when stderr is a terminal (never in CI logs or captured output).
 */
export function progressReporter(io: CliIo, noun: string, verb = 'looked up'): ProgressReporter {
  if (!io.interactive) return { update: () => undefined, host: () => undefined, write: (text) => io.stderr(text), done: () => undefined };
  const started = io.now();
  let state = { done: 0, total: 0, host: '' };
  let shown = false;
  let finished = false;
  const render = (): void => {
    shown = true;
    const parts = [`${verb} ${state.done}/${state.total} ${noun}`, ...(state.host ? [state.host] : []), elapsedText(io.now() - started)];
    io.stderr(`\r\x1b[K${parts.join(' · ')}`);
  };
  const timer = setInterval(render, 1000);
  timer.unref();
  return {
    update(done, total) {
      state = { ...state, done, total };
      render();
    },
    host(name) {
      if (name === state.host) return;
      state = { ...state, host: name };
      render();
    },
    write(text) {
      if (!shown || finished) {
        io.stderr(text);
        return;
      }
      io.stderr(`\r\x1b[K${text}`);
      render();
    },
    done() {
      clearInterval(timer);
      finished = true;
      if (shown) io.stderr('\r\x1b[K');
    },
  };
}

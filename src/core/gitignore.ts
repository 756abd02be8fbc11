import { compileGlob, type Glob } from './glob.js';

/**
 * gitignore rules (a `.gitignore` file, or `ignorePaths`), matched in linear time (see glob.ts):
 * blank lines and `#` comments are skipped, `!` re-includes, a trailing `/` matches directories
 * only, a pattern with a `/` before its end is anchored to the file's directory, one without
 * matches a name at any depth, `**` spans directories.
 */
export interface IgnoreRules {
  /** Whether `relative` (`/`-separated, relative to the rules' directory) is ignored by these rules alone: true, false, or null when no rule matches. */
  decide(relative: string, isDirectory: boolean): boolean | null;
}

interface Rule {
  readonly glob: Glob;
  readonly negated: boolean;
  readonly directoryOnly: boolean;
}

function parseRule(line: string): Rule | null {
  let text = line.replace(/\r$/, '');
  // trailing spaces are ignored unless escaped
  let end = text.length;
  while (end > 0 && text[end - 1] === ' ' && text[end - 2] !== '\\') end--;
  text = text.slice(0, end);
  if (text === '' || text.startsWith('#')) return null;
  let negated = false;
  if (text.startsWith('!')) {
    negated = true;
    text = text.slice(1);
  } else if (text.startsWith('\\!') || text.startsWith('\\#')) {
    text = text.slice(1);
  }
  let directoryOnly = false;
  if (text.endsWith('/') && !text.endsWith('\\/')) {
    directoryOnly = true;
    text = text.replace(/\/+$/, '');
  }
  if (text === '') return null;
  const anchored = text.includes('/');
  const body = text.replace(/^\/+/, '');
  if (body === '') return null;
  const glob = compileGlob(anchored ? body : `**/${body}`, { globstar: true });
  return { glob, negated, directoryOnly };
}

export function ignoreRules(patterns: string | readonly string[]): IgnoreRules {
  const lines = typeof patterns === 'string' ? patterns.split('\n') : patterns;
  // The last matching rule decides: look from the end.
  const lastFirst = lines
    .map(parseRule)
    .filter((rule): rule is Rule => rule !== null)
    .reverse();
  return {
    decide(relative, isDirectory) {
      for (const rule of lastFirst) {
        if (rule.directoryOnly && !isDirectory) continue;
        if (rule.glob.matches(relative)) return !rule.negated;
      }
      return null;
    },
  };
}

/** Whether a file path is ignored, its parent directories included (a file in an ignored directory cannot be re-included). */
export function ignoresPath(rules: IgnoreRules, relative: string): boolean {
  const parts = relative.split('/');
  for (let depth = 1; depth < parts.length; depth++) {
    if (rules.decide(parts.slice(0, depth).join('/'), true) === true) return true;
  }
  return rules.decide(relative, false) === true;
}

/**
 * Nomad Pack's `[[ printf "%s:%s" .my_pack.image .my_pack.tag ]]`: an image written as a format whose `%s`
 * verbs each take a pack variable. Read by the scan (to resolve the image) and by the plan (to edit the one
 * variable that holds a change). Pure.
 */

/** One argument of the printf: as written (`.my_pack.tag`, `(var "tag" .)`) and the variable it names. */
export interface PrintfArgument {
  readonly text: string;
  readonly name: string;
}

/**
 * `[[ printf "<format>" <arguments> ]]` (with `-` trims, and `| quote` for the bare form). The format may hold
 * escaped quotes (`"\"name:%s\""`, another way to write the bare form); any other escape is read and refused.
 */
const PRINTF = /^\[\[-?\s*printf\s+"((?:[^"\\]|\\.)*)"\s+([\s\S]*?)\s*(\|\s*quote\s*)?-?\]\]$/;
/** A format wrapped in escaped quotes, with no other escape: its output is a quoted string. */
const QUOTED_FORMAT = /^\\"([^"\\]*)\\"$/;
/** One argument of a printf: `.pack.name`, `(var "name" .)`, or anything else (named in the reason). */
const ARGUMENT = /\([^()]*\)|"[^"]*"|[^\s()]+/g;
const VAR_CALL = /^\(\s*var\s+"([A-Za-z_][\w.-]*)"\s+\.\s*\)$/;
const DOT_USE = /^\.(?:[A-Za-z_][\w-]*)\.([A-Za-z_][\w.-]*)$/;

/**
 * A printf action whose format has only `%s` verbs (and `%%`), each given a pack variable: the format's text
 * and the variables in order. A string (the reason) when it is a printf archpin cannot read; null when it is
 * not a printf at all.
 */
export function packPrintf(text: string): { pieces: Array<string | PrintfArgument>; quoted: boolean } | string | null {
  const match = PRINTF.exec(text);
  if (!match) return null;
  const written = match[1] ?? '';
  const inQuotes = QUOTED_FORMAT.exec(written)?.[1];
  if (written.includes('\\') && (inQuotes === undefined || match[3] !== undefined)) return `${text}: printf with escapes in its format, archpin reads only a format wrapped in \\"…\\"`;
  const format = inQuotes ?? written;
  const args = [...(match[2] ?? '').matchAll(ARGUMENT)].map((arg) => arg[0]);
  const verbs = format.match(/%./g) ?? [];
  const other = verbs.find((verb) => verb !== '%s' && verb !== '%%');
  if (other !== undefined || /%$/.test(format.replace(/%./g, ''))) return `${text}: printf with ${other ?? '%'}, archpin reads only %s`;
  const wanted = verbs.filter((verb) => verb === '%s').length;
  if (wanted !== args.length) return `${text}: printf with ${wanted} %s and ${args.length} arguments`;
  const uses: PrintfArgument[] = [];
  for (const arg of args) {
    const name = VAR_CALL.exec(arg)?.[1] ?? DOT_USE.exec(arg)?.[1];
    if (name === undefined) return `${text}: printf argument ${arg} is not a pack variable`;
    uses.push({ text: arg, name });
  }
  const pieces: Array<string | PrintfArgument> = [];
  let next = 0;
  for (const part of format.split(/(%%|%s)/)) {
    if (part === '%s') {
      const use = uses[next++];
      if (use) pieces.push(use);
    } else if (part === '%%') pieces.push('%');
    else if (part !== '') pieces.push(part);
  }
  return { pieces, quoted: match[3] !== undefined || inQuotes !== undefined };
}

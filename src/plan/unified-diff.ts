/**
 * A unified diff between two versions of a file whose edits never add or remove lines (archpin's
 * edits replace text within lines). Bytes are shown as latin1, one character each.
 */
export function unifiedDiff(file: string, before: Uint8Array, after: Uint8Array, context = 3): string {
  const oldLines = Buffer.from(before).toString('latin1').split('\n');
  const newLines = Buffer.from(after).toString('latin1').split('\n');
  if (oldLines.length !== newLines.length) throw new Error('line count changed');
  const changed: number[] = [];
  oldLines.forEach((line, index) => {
    if (line !== newLines[index]) changed.push(index);
  });
  if (changed.length === 0) return '';
  const hunks: Array<[number, number]> = [];
  for (const index of changed) {
    const start = Math.max(0, index - context);
    const end = Math.min(oldLines.length - 1, index + context);
    const last = hunks[hunks.length - 1];
    if (last && start <= last[1] + 1) last[1] = end;
    else hunks.push([start, end]);
  }
  const out = [`--- a/${file}`, `+++ b/${file}`];
  for (const [start, end] of hunks) {
    const length = end - start + 1;
    out.push(`@@ -${start + 1},${length} +${start + 1},${length} @@`);
    for (let index = start; index <= end; index++) {
      const strip = (line: string) => line.replace(/\r$/, '');
      // Each hunk lies within both texts.
      const before = oldLines[index] ?? '';
      const after = newLines[index] ?? '';
      if (before === after) out.push(` ${strip(before)}`);
      else out.push(`-${strip(before)}`, `+${strip(after)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

import { terminalText } from './terminal-text.js';

/** Renders rows as left-aligned columns separated by two spaces; the last column is not padded. Control characters in cells are escaped. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows.map((row) => row.map(terminalText))];
  // a loop, not Math.max(...rows): a spread of 125,000 rows overflows the stack
  const widths = header.map((_, column) => {
    let width = 0;
    for (const row of all) width = Math.max(width, (row[column] ?? '').length);
    return width;
  });
  return all
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * Report output: CSV (RFC 4180, for BI tools and spreadsheets), JSON, and a plain-text table for the terminal.
 * Reports describe their rows with columns once; every format reads the same description.
 */

export interface Column<R> {
  /** Header in CSV/JSON (a stable machine name). */
  key: string;
  /** Header in the text table (human). */
  title: string;
  value(row: R): string | number | boolean | null;
}

function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  // RFC 4180: quote cells with a separator, a quote or a line break; double the quotes inside.
  return /[",\r\n;]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv<R>(rows: readonly R[], columns: readonly Column<R>[]): string {
  const lines = [columns.map((column) => csvCell(column.key)).join(',')];
  for (const row of rows) lines.push(columns.map((column) => csvCell(column.value(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function toJsonRows<R>(rows: readonly R[], columns: readonly Column<R>[]): Array<Record<string, unknown>> {
  return rows.map((row) => Object.fromEntries(columns.map((column) => [column.key, column.value(row)])));
}

export function toTextTable<R>(rows: readonly R[], columns: readonly Column<R>[]): string {
  const cells = rows.map((row) => columns.map((column) => {
    const value = column.value(row);
    return value === null ? '—' : String(value);
  }));
  const widths = columns.map((column, i) => Math.max(column.title.length, ...cells.map((line) => line[i].length)));
  const numeric = columns.map((_column, i) => cells.length > 0 && cells.every((line) => /^-?[\d.]+$|^—$/.test(line[i])));
  const render = (line: string[]) =>
    line.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  const out = [render(columns.map((column) => column.title)), widths.map((width) => '-'.repeat(width)).join('  ')];
  for (const line of cells) out.push(render(line));
  if (cells.length === 0) out.push('(нет данных)');
  return out.join('\n');
}

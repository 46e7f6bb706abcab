/** The bench's table: one row per run, then the plain/ours ratios of each scenario. */

export interface Row {
  scenario: string;
  impl: string;
  limits: string;
  ms: number;
  requests: number;
  subCalls: number;
  work: string;
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

export function formatTable(rows: Row[]): string {
  const header = ['scenario', 'implementation', 'portal limits', 'wall time', 'HTTP requests', 'sub-calls', 'work done'];
  const body: string[][] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    body.push([row.scenario, row.impl, row.limits, `${(row.ms / 1000).toFixed(2)} s`, String(row.requests), String(row.subCalls), row.work]);
    const ours = rows[i - 1];
    if (i % 2 === 1 && ours) {
      const time = row.ms / Math.max(1, ours.ms);
      const requests = row.requests / Math.max(1, ours.requests);
      body.push(['', 'ratio plain / ours', '', `${time.toFixed(1)}×`, `${requests.toFixed(1)}×`, '', '']);
    }
  }
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column].length)));
  const numeric = new Set([3, 4, 5]);
  const line = (cells: string[]) => cells.map((cell, column) => pad(cell, widths[column], numeric.has(column))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

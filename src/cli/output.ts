/**
 * How the CLI prints: plain tables and JSON on stdout, messages and progress on stderr. Colour only when stdout is a
 * terminal and NO_COLOR is unset; progress bars only when stderr is a terminal, so pipes and `--json` stay clean.
 */

export interface Streams {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
}

export interface Palette {
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  cyan(text: string): string;
}

export interface Progress {
  /** One item finished; `label` names what comes next (or what finished). */
  tick(label?: string): void;
  done(): void;
}

export interface Output {
  readonly color: Palette;
  /** Writes text to stdout (a newline is added when missing). */
  print(text: string): void;
  /** Writes a message to stderr. */
  warn(text: string): void;
  json(value: unknown): void;
  table(headers: string[], rows: string[][]): string;
  progress(total: number, label: string): Progress;
}

// eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC; they take no room on screen
const ANSI = /\x1b\[[0-9;]*m/g;

function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}

function paint(enabled: boolean, open: number, close: number) {
  return (text: string): string => (enabled && text ? `\x1b[${open}m${text}\x1b[${close}m` : text);
}

export function palette(enabled: boolean): Palette {
  return {
    bold: paint(enabled, 1, 22),
    dim: paint(enabled, 2, 22),
    green: paint(enabled, 32, 39),
    yellow: paint(enabled, 33, 39),
    red: paint(enabled, 31, 39),
    cyan: paint(enabled, 36, 39),
  };
}

/** Columns padded to the widest cell; the last column is not padded (long texts wrap naturally). */
export function renderTable(headers: string[], rows: string[][], bold: (text: string) => string = (t) => t): string {
  const widths = headers.map((header, i) => Math.max(visibleLength(header), ...rows.map((row) => visibleLength(row[i] ?? ''))));
  const line = (cells: string[], style: (text: string) => string = (t) => t): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? style(cell) : style(cell) + ' '.repeat(widths[i] - visibleLength(cell))))
      .join('  ')
      .trimEnd();
  return [line(headers, bold), ...rows.map((row) => line(headers.map((_, i) => row[i] ?? '')))].join('\n');
}

export interface OutputOptions {
  streams?: Streams;
  env?: NodeJS.ProcessEnv;
  /** `--no-color` */
  color?: boolean;
}

export function createOutput(options: OutputOptions = {}): Output {
  const streams = options.streams ?? { stdout: process.stdout, stderr: process.stderr };
  const env = options.env ?? process.env;
  const colour = options.color !== false && Boolean(streams.stdout.isTTY) && env.NO_COLOR === undefined;
  const color = palette(colour);
  const withNewline = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);
  // The bar being drawn on stderr, if any: lines printed meanwhile clear it first and redraw it after.
  let bar: string | null = null;
  const clearBar = (): void => {
    if (bar !== null) streams.stderr.write(`\r${' '.repeat(bar.length)}\r`);
  };
  const around = (write: () => void): void => {
    clearBar();
    write();
    if (bar !== null) streams.stderr.write(bar);
  };
  return {
    color,
    print: (text) => around(() => streams.stdout.write(withNewline(text))),
    warn: (text) => around(() => streams.stderr.write(withNewline(text))),
    json: (value) => void streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    table: (headers, rows) => renderTable(headers, rows, color.bold),
    progress(total, label) {
      const tty = Boolean(streams.stderr.isTTY) && total > 1;
      let count = 0;
      const draw = (current: string): void => {
        if (!tty) return;
        const width = 24;
        const filled = Math.round((count / total) * width);
        const text = `[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${count}/${total} ${current}`;
        clearBar();
        bar = text.slice(0, (streams.stderr.columns || 80) - 1);
        streams.stderr.write(bar);
      };
      draw(label);
      return {
        tick(next = '') {
          count = Math.min(total, count + 1);
          draw(next);
        },
        done() {
          clearBar();
          bar = null;
        },
      };
    },
  };
}

/** `2025-03-01 12:30 UTC`, or `-` for nothing; the same in every time zone, so outputs can be compared. */
export function formatWhen(date: Date | null | undefined): string {
  if (!date) return '-';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A value shortened for a table cell. */
export function clip(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

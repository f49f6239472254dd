/**
 * Reading one data row by column name, with errors that name the column and the value as the file
 * wrote them. Adapters describe columns by their names (and aliases); headers are matched
 * case-insensitively with surrounding and repeated spaces ignored.
 */
import { cleanCell, parseDateOnly, parseDecimal, parseInstant, parseTimeOfDay, ValueError, zonedTimeToInstant } from './values.js';

/** An unreadable field; turned into a RowError by `mapRow`. */
export class FieldError extends Error {
  override readonly name = 'FieldError';
  constructor(
    readonly column: string | null,
    readonly value: string | null,
    reason: string,
  ) {
    super(reason);
  }
}

export function normalizeHeader(name: string): string {
  return name.replace(/^\uFEFF/, '').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** True when no cell holds anything but whitespace. */
export function isBlankRow(row: readonly string[]): boolean {
  return row.every((cell) => cell.trim() === '');
}

export type Columns = string | readonly string[];

export class HeaderIndex {
  private readonly positions = new Map<string, number>();
  /** Lookups by the adapters' constant column lists, memoised: a file asks the same ones on every row. */
  private readonly found = new Map<string, { index: number; name: string } | undefined>();

  constructor(readonly names: readonly string[]) {
    names.forEach((name, i) => {
      const key = normalizeHeader(name);
      if (key !== '' && !this.positions.has(key)) this.positions.set(key, i);
    });
  }

  /** Position of the first of `columns` the header has, and its name as the file writes it. */
  find(columns: Columns): { index: number; name: string } | undefined {
    const key = typeof columns === 'string' ? columns : columns.join('\u0000');
    if (this.found.has(key)) return this.found.get(key);
    let result: { index: number; name: string } | undefined;
    for (const column of typeof columns === 'string' ? [columns] : columns) {
      const index = this.positions.get(normalizeHeader(column));
      if (index !== undefined) {
        result = { index, name: this.names[index]!.trim() };
        break;
      }
    }
    this.found.set(key, result);
    return result;
  }

  has(columns: Columns): boolean {
    return this.find(columns) !== undefined;
  }

  /** How many of the groups (each a column and its aliases) the header has. */
  count(groups: readonly Columns[]): number {
    return groups.filter((g) => this.has(g)).length;
  }
}

function firstName(columns: Columns): string {
  return typeof columns === 'string' ? columns : columns[0]!;
}

/** One data row read through its header. Getters throw FieldError. */
export class RowView {
  constructor(
    readonly header: HeaderIndex,
    readonly cells: readonly string[],
    readonly line: number,
  ) {}

  /** The column's name as the file writes it (or the first alias when the file lacks it). */
  columnName(columns: Columns): string {
    return this.header.find(columns)?.name ?? firstName(columns);
  }

  /** The trimmed cell, null when empty or when the file has no such column. */
  text(columns: Columns): string | null {
    const found = this.header.find(columns);
    return found === undefined ? null : cleanCell(this.cells[found.index]);
  }

  /** The raw cell (untrimmed) for error messages. */
  raw(columns: Columns): string | null {
    const found = this.header.find(columns);
    return found === undefined ? null : (this.cells[found.index] ?? null);
  }

  requireText(columns: Columns): string {
    const value = this.text(columns);
    if (value === null) throw new FieldError(this.columnName(columns), this.raw(columns), `${this.columnName(columns)} is required`);
    return value;
  }

  decimal(columns: Columns): string | null {
    try {
      return parseDecimal(this.text(columns));
    } catch (error) {
      throw this.wrap(columns, error);
    }
  }

  requireDecimal(columns: Columns): string {
    const value = this.decimal(columns);
    if (value === null) throw new FieldError(this.columnName(columns), this.raw(columns), `${this.columnName(columns)} is required`);
    return value;
  }

  instant(columns: Columns, timeZone: string): Date | null {
    try {
      return parseInstant(this.text(columns), timeZone);
    } catch (error) {
      throw this.wrap(columns, error);
    }
  }

  requireInstant(columns: Columns, timeZone: string): Date {
    const value = this.instant(columns, timeZone);
    if (value === null) throw new FieldError(this.columnName(columns), this.raw(columns), `${this.columnName(columns)} is required`);
    return value;
  }

  /** A date column and a separate time-of-day column, read together as a local time in `timeZone`. */
  requireDateAndTime(dateColumns: Columns, timeColumns: Columns, timeZone: string): Date {
    const date = this.read(dateColumns, parseDateOnly);
    if (date === null) throw this.fail(dateColumns, `${this.columnName(dateColumns)} is required`);
    const timeText = this.requireText(timeColumns);
    const time = this.read(timeColumns, () => parseTimeOfDay(timeText));
    const [year, month, day] = date.split('-').map(Number) as [number, number, number];
    return this.read(timeColumns, () => zonedTimeToInstant({ year, month, day, ...time }, timeZone));
  }

  /** Runs `read` on the cell, turning a ValueError into a FieldError for the column. */
  read<T>(columns: Columns, read: (value: string | null) => T): T {
    try {
      return read(this.text(columns));
    } catch (error) {
      throw this.wrap(columns, error);
    }
  }

  fail(columns: Columns, reason: string): FieldError {
    return new FieldError(this.columnName(columns), this.raw(columns), reason);
  }

  private wrap(columns: Columns, error: unknown): Error {
    if (error instanceof ValueError) return new FieldError(this.columnName(columns), this.raw(columns), error.message);
    return error instanceof Error ? error : new Error(String(error));
  }
}

// An educator CSV import (POST /educators/import, the console's "Import from CSV"): one educator
// per row, the fields of POST /educators. Each row is validated here with the same schema as
// POST /educators, so a bad row gets the same words, and the problem names the CSV column to
// fix. A row naming the same educator as an earlier line (the same external_id, email or DID)
// is a duplicate of that line: a file imported twice, or a copy-paste, adds nobody twice.
//
// Columns (header row required, names case-insensitive, order free; spaces and hyphens read as
// underscores, and `externalId` as external_id): name (required), email and/or did (one of
// them required, as for POST /educators), external_id (the program's own number), cohort.
// Quoted fields follow RFC 4180.
import { parse } from 'csv-parse/sync';
import { BatchTooLargeError } from '../awards/batchInput.js';
import { CsvFormatError, readHeaderColumns } from '../awards/batchCsv.js';
import type { ImportProblem, NewImportRow } from '../store/imports.js';
import { EducatorRequestSchema, type EducatorRequest } from './requests.js';

export const EDUCATOR_CSV_COLUMNS = ['name', 'email', 'did', 'external_id', 'cohort'] as const;
type Column = (typeof EDUCATOR_CSV_COLUMNS)[number];

/** The request field each column fills, and back (a schema issue names the column to fix). */
const FIELD: Record<Column, keyof EducatorRequest> = { name: 'name', email: 'email', did: 'did', external_id: 'externalId', cohort: 'cohort' };
const COLUMN_OF = Object.fromEntries(Object.entries(FIELD).map(([column, field]) => [field, column])) as Record<string, Column>;

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

export interface EducatorCsvRow extends NewImportRow {
  request?: EducatorRequest | undefined;
}

function readHeader(cells: readonly string[]): Map<Column, number> {
  // `externalId` as the API spells it, `external id`, `external-id`: all external_id.
  const names = cells.map((cell) => (/^\s*external[\s_-]?id\s*$/i.test(cell) ? 'external_id' : cell));
  const columns = readHeaderColumns<Column>(names, EDUCATOR_CSV_COLUMNS);
  if (!columns.has('name')) throw new CsvFormatError("The header (line 1) has no 'name' column", 1);
  if (!columns.has('email') && !columns.has('did')) throw new CsvFormatError("The header (line 1) needs an 'email' or a 'did' column", 1);
  return columns;
}

const problem = (line: number, column: Column | undefined, detail: string, code = 'invalid_row'): ImportProblem => ({ code, detail: `line ${line}: ${detail}`, ...(column ? { column } : {}) });

/**
 * Reads the file into import rows (the header is line 1): valid rows are pending with their
 * POST /educators body, bad rows invalid with the column to fix, repeated educators duplicate.
 * Throws CsvFormatError when the file as a whole cannot be read, BatchTooLargeError over `maxRows`.
 */
export function educatorRowsFromCsv(text: string, maxRows: number): EducatorCsvRow[] {
  let records: ParsedRecord[];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, info: true, max_record_size: 16 * 1024 }) as unknown as ParsedRecord[];
  } catch (error) {
    const e = error as { message?: string; lines?: number };
    throw new CsvFormatError(`The file is not valid CSV: ${e.message ?? String(error)}`, e.lines);
  }
  const [header, ...data] = records;
  if (!header) throw new CsvFormatError('The file is empty: expected a header row and one row per educator');
  const columns = readHeader(header.record);
  if (data.length === 0) throw new CsvFormatError('The file has a header but no educator rows');
  if (data.length > maxRows) throw new BatchTooLargeError(data.length, maxRows);

  const seen = new Map<string, { line: number; column: Column }>();
  return data.map(({ record, info }): EducatorCsvRow => {
    // csv-parse counts lines up to the end of the record; a quoted field may span several.
    const spanned = record.reduce((n, field) => n + (field.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
    const line = info.lines - spanned;
    const candidate: Record<string, string> = {};
    for (const [column, index] of columns) {
      const value = record[index]?.trim();
      if (value) candidate[FIELD[column]] = value;
    }
    const parsed = EducatorRequestSchema.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.find((p): p is string => typeof p === 'string');
      const column = field ? COLUMN_OF[field] : undefined;
      return { line, lines: [line], state: 'invalid', problem: problem(line, column, `${column ?? 'row'}: ${issue?.message ?? 'invalid row'}`) };
    }
    const request = parsed.data;
    const keys: Array<[Column, string | undefined]> = [
      ['external_id', request.externalId],
      ['email', request.email?.toLowerCase()],
      ['did', request.did],
    ];
    for (const [column, value] of keys) {
      const earlier = value === undefined ? undefined : seen.get(`${column}:${value}`);
      if (earlier) return { line, lines: [line], state: 'duplicate', problem: problem(line, column, `${column} '${value}' is on line ${earlier.line} already`, 'duplicate_row') };
    }
    for (const [column, value] of keys) if (value !== undefined) seen.set(`${column}:${value}`, { line, column });
    return { line, lines: [line], state: 'pending', request };
  });
}

// `educred observations import FILE.csv`: one rating per row, and the rows of one educator, date
// and observer form one observation (a lesson rated on several competencies). Each observation
// keeps the line numbers of its rows, and each bad row is reported by its line, so a program
// officer finds the mistake in the spreadsheet.
//
// Columns (header row required, names case-insensitive, order free): educator (an educator id,
// externalId or email: the caller resolves it), date (YYYY-MM-DD), observer, setting (optional:
// in-person, online, blended), achievement, level, narrative (optional, the rating's).
// Quoted fields follow RFC 4180.
import { parse } from 'csv-parse/sync';
import { CsvFormatError, readHeaderColumns } from '../awards/batchCsv.js';
import type { NewImportRow } from '../store/imports.js';
import { ObservationRequestSchema, type ObservationRequest } from './requests.js';

export const OBSERVATION_CSV_COLUMNS = ['educator', 'date', 'observer', 'setting', 'achievement', 'level', 'narrative'] as const;
type Column = (typeof OBSERVATION_CSV_COLUMNS)[number];
const REQUIRED: readonly Column[] = ['educator', 'date', 'observer', 'achievement', 'level'];

export interface ImportedObservation {
  /** The educator as the file names them (id, externalId or email). */
  educator: string;
  /** The lines of its rows (the header is line 1). */
  lines: number[];
  body: ObservationRequest;
}

export interface RowProblem {
  line: number;
  detail: string;
  /** The column to fix, when one is to blame. */
  column?: string | undefined;
}

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

function readHeader(cells: readonly string[]): Map<Column, number> {
  const columns = readHeaderColumns<Column>(cells, OBSERVATION_CSV_COLUMNS);
  const missing = REQUIRED.filter((c) => !columns.has(c));
  if (missing.length > 0) throw new CsvFormatError(`The header (line 1) has no ${missing.map((c) => `'${c}'`).join(', ')} column${missing.length === 1 ? '' : 's'}`, 1);
  return columns;
}

/** Reads the file into observations and the problems of its rows; a row with a problem is left out. */
export function observationsFromCsv(text: string, maxRows = 10_000): { observations: ImportedObservation[]; problems: RowProblem[] } {
  let records: ParsedRecord[];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, info: true, max_record_size: 64 * 1024 }) as unknown as ParsedRecord[];
  } catch (error) {
    const e = error as { message?: string; lines?: number };
    throw new CsvFormatError(`The file is not valid CSV: ${e.message ?? String(error)}`, e.lines);
  }
  const [header, ...data] = records;
  if (!header) throw new CsvFormatError('The file is empty: expected a header row and one row per rating');
  if (data.length === 0) throw new CsvFormatError('The file has a header but no rating rows');
  if (data.length > maxRows) throw new CsvFormatError(`The file has ${data.length} rows; at most ${maxRows} per import`);
  const columns = readHeader(header.record);

  const problems: RowProblem[] = [];
  const groups = new Map<string, ImportedObservation>();
  for (const { record, info } of data) {
    const spanned = record.reduce((n, field) => n + (field.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
    const line = info.lines - spanned;
    const get = (column: Column): string | undefined => {
      const index = columns.get(column);
      const value = index === undefined ? undefined : record[index]?.trim();
      return value === '' ? undefined : value;
    };
    const empty = REQUIRED.filter((c) => get(c) === undefined);
    if (empty.length > 0) {
      problems.push({ line, column: empty[0], detail: `line ${line}: ${empty.join(', ')} ${empty.length === 1 ? 'is' : 'are'} empty` });
      continue;
    }
    const educator = get('educator') as string;
    const date = get('date') as string;
    const observer = get('observer') as string;
    const setting = get('setting');
    const narrative = get('narrative');
    const rating = { achievement: get('achievement') as string, level: get('level') as string, ...(narrative ? { narrative } : {}) };
    const key = JSON.stringify([educator.toLowerCase(), date, observer]);
    const group = groups.get(key);
    const candidate = group
      ? { ...group.body, ratings: [...group.body.ratings, rating] }
      : { date, observer, ...(setting ? { setting } : {}), ratings: [rating] };
    if (group && (setting ?? group.body.setting) !== group.body.setting) {
      problems.push({ line, column: 'setting', detail: `line ${line}: setting '${setting ?? ''}' differs from '${group.body.setting ?? ''}' on line ${group.lines[0]} of the same observation (educator, date and observer)` });
      continue;
    }
    if (group && group.body.ratings.some((r) => r.achievement === rating.achievement)) {
      problems.push({ line, column: 'achievement', detail: `line ${line}: '${rating.achievement}' is rated twice in the observation of line ${group.lines[0]}` });
      continue;
    }
    const parsed = ObservationRequestSchema.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.filter((p) => typeof p === 'string').at(-1);
      problems.push({ line, ...(field && field !== 'ratings' ? { column: field } : {}), detail: `line ${line}: ${issue ? `${field ?? 'row'} ${issue.message}` : 'invalid row'}` });
      continue;
    }
    if (group) {
      group.body = parsed.data;
      group.lines.push(line);
    } else groups.set(key, { educator, lines: [line], body: parsed.data });
  }
  return { observations: [...groups.values()], problems };
}

/** The parsed file as import rows (src/educators/importRunner.ts): one per observation, one per bad line, in line order. */
export function observationImportRows(parsed: { observations: ImportedObservation[]; problems: RowProblem[] }): NewImportRow[] {
  const rows: NewImportRow[] = [
    ...parsed.observations.map((o): NewImportRow => ({ line: o.lines[0] ?? 0, lines: o.lines, state: 'pending', request: { educator: o.educator, body: o.body } })),
    ...parsed.problems.map((p): NewImportRow => ({ line: p.line, lines: [p.line], state: 'invalid', problem: { code: 'invalid_row', detail: p.detail, ...(p.column ? { column: p.column } : {}) } })),
  ];
  return rows.sort((a, b) => a.line - b.line);
}

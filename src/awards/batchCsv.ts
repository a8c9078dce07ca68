// Bulk awards from a spreadsheet: turns a CSV file a program officer fills in (one row per
// award) into POST /awards bodies, each tagged with its line number so a mistake is reported
// where the officer can find it.
//
// Columns (header row required, names case-insensitive, order free):
//   recipient_did    the educator's DID (did:key:..., did:web:...)        } exactly one
//   recipient_email  the educator's email (the badge carries a salted hash) } of these two
//   recipient_name   display name; required with recipient_email
//   achievement      achievement code, e.g. formative-assessment (GET /achievements)
//   observations     the evidence, one entry per observation, entries separated by ';',
//                    each `date|observer|level` or `date|observer|level|narrative`, e.g.
//                    `2026-03-01|Dr. Maya Rivera|proficient; 2026-03-08|Dr. Maya Rivera|exemplary`
//                    (level: beginning, developing, proficient, exemplary; a narrative cannot
//                    contain ';' or '|' — use evidence_json for free text)
//   evidence_json    instead of observations: the POST /awards `evidence` array as JSON
//   valid_until      optional expiry, ISO 8601 date-time
// Quoted fields follow RFC 4180 (a field with commas or line breaks is quoted, "" is a quote).
import { parse } from 'csv-parse/sync';
import { JsonTextError, parseJson } from '../http/body.js';
import { BatchTooLargeError, type RawBatchRow } from './batchInput.js';

export const CSV_COLUMNS = ['recipient_did', 'recipient_email', 'recipient_name', 'achievement', 'observations', 'evidence_json', 'valid_until'] as const;
type Column = (typeof CSV_COLUMNS)[number];

/** The file as a whole cannot be read (not CSV, unknown or missing columns): nothing is issued. */
export class CsvFormatError extends Error {
  readonly code = 'invalid_csv';
  constructor(message: string, readonly line?: number) {
    super(message);
  }
}

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/**
 * The columns a CSV header names, by position: names are matched case-blind with spaces and
 * hyphens read as underscores; an unknown or repeated column is a CsvFormatError on line 1.
 * Shared by every CSV import (awards here, observations in src/educators/observationsCsv.ts).
 */
export function readHeaderColumns<C extends string>(cells: readonly string[], known: readonly C[]): Map<C, number> {
  const columns = new Map<C, number>();
  cells.forEach((cell, index) => {
    const name = cell.trim().toLowerCase().replace(/[\s-]+/g, '_');
    if (name === '') return;
    if (!(known as readonly string[]).includes(name)) {
      throw new CsvFormatError(`Unknown column '${cell.trim()}' in the header (line 1); the columns are ${known.join(', ')}`, 1);
    }
    if (columns.has(name as C)) throw new CsvFormatError(`Column '${name}' appears twice in the header (line 1)`, 1);
    columns.set(name as C, index);
  });
  return columns;
}

function readHeader(cells: readonly string[]): Map<Column, number> {
  const columns = readHeaderColumns<Column>(cells, CSV_COLUMNS);
  if (!columns.has('achievement')) throw new CsvFormatError("The header (line 1) has no 'achievement' column", 1);
  if (!columns.has('recipient_did') && !columns.has('recipient_email')) {
    throw new CsvFormatError("The header (line 1) needs a 'recipient_did' or a 'recipient_email' column", 1);
  }
  if (!columns.has('observations') && !columns.has('evidence_json')) {
    throw new CsvFormatError("The header (line 1) needs an 'observations' or an 'evidence_json' column", 1);
  }
  return columns;
}

/** `date|observer|level[|narrative]; ...` → POST /awards observations (validated later by the schema). */
export function parseObservations(text: string): { evidence: unknown[]; problems: string[] } {
  const evidence: unknown[] = [];
  const problems: string[] = [];
  const entries = text.split(';').map((e) => e.trim()).filter((e) => e !== '');
  entries.forEach((entry, i) => {
    const parts = entry.split('|').map((p) => p.trim());
    if (parts.length < 3 || parts.length > 4) {
      problems.push(`observation ${i + 1} ('${entry.slice(0, 80)}') must be date|observer|level or date|observer|level|narrative`);
      return;
    }
    const [date, observer, level, narrative] = parts;
    evidence.push({ kind: 'observation', date, observer, level, ...(narrative ? { narrative } : {}) });
  });
  return { evidence, problems };
}

function toAwardBody(get: (column: Column) => string | undefined): { body: Record<string, unknown>; errors: Array<{ pointer: string; detail: string }> } {
  const errors: Array<{ pointer: string; detail: string }> = [];
  const did = get('recipient_did');
  const email = get('recipient_email');
  const name = get('recipient_name');
  let recipient: unknown;
  if (did && email) errors.push({ pointer: '/recipient', detail: 'give recipient_did or recipient_email, not both' });
  else if (did) recipient = { id: did, ...(name ? { name } : {}) };
  else if (email) recipient = { email, ...(name !== undefined ? { name } : {}) };
  else errors.push({ pointer: '/recipient', detail: 'recipient_did or recipient_email is required' });

  let evidence: unknown;
  const observations = get('observations');
  const evidenceJson = get('evidence_json');
  if (observations && evidenceJson) errors.push({ pointer: '/evidence', detail: 'give observations or evidence_json, not both' });
  else if (evidenceJson) {
    try {
      evidence = parseJson(evidenceJson, { what: 'evidence_json' });
    } catch (error) {
      if (!(error instanceof JsonTextError)) throw error;
      errors.push({ pointer: '/evidence', detail: error.message });
    }
  } else {
    const parsed = parseObservations(observations ?? '');
    evidence = parsed.evidence;
    for (const detail of parsed.problems) errors.push({ pointer: '/evidence', detail });
  }
  const validUntil = get('valid_until');
  const body: Record<string, unknown> = {
    ...(recipient !== undefined ? { recipient } : {}),
    achievement: get('achievement') ?? '',
    ...(evidence !== undefined ? { evidence } : {}),
    ...(validUntil ? { validUntil } : {}),
  };
  return { body, errors };
}

/** Reads a CSV text into award bodies with their line numbers (the header is line 1). */
export function awardRowsFromCsv(text: string, maxRows: number): RawBatchRow[] {
  let records: ParsedRecord[];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, info: true, max_record_size: 256 * 1024 }) as unknown as ParsedRecord[];
  } catch (error) {
    const e = error as { message?: string; lines?: number };
    throw new CsvFormatError(`The file is not valid CSV: ${e.message ?? String(error)}`, e.lines);
  }
  const [header, ...data] = records;
  if (!header) throw new CsvFormatError('The file is empty: expected a header row and one row per award');
  if (data.length === 0) throw new CsvFormatError('The file has a header but no award rows');
  if (data.length > maxRows) throw new BatchTooLargeError(data.length, maxRows);
  const columns = readHeader(header.record);
  return data.map(({ record, info }) => {
    const get = (column: Column): string | undefined => {
      const index = columns.get(column);
      const value = index === undefined ? undefined : record[index]?.trim();
      return value === '' ? undefined : value;
    };
    // csv-parse counts lines up to the end of the record; a quoted field may span several.
    const spanned = record.reduce((n, field) => n + (field.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
    const { body, errors } = toAwardBody(get);
    return { line: info.lines - spanned, body, errors };
  });
}

// The rows of a bulk award: each validated on its own with the POST /awards schema (a bad row
// is reported with its line and does not stop the others), each given an idempotency key
// derived from the batch id and the award it asks for, so that submitting the same file again
// under the same batch id finds the awards already made instead of making them twice. (Without
// a batch id the one-badge rule of src/awards/issueAward.ts finds them: a row asking for a badge
// its recipient holds reports that award.)
import { createHash } from 'node:crypto';
import type { NewBatchRow } from '../store/batches.js';
import { NEEDS_EMAIL_MESSAGE } from '../mail/notify.js';
import { AwardRequestSchema } from './awardRequest.js';

/** The most rows one batch holds (a term's completers at a large program). */
export const MAX_BATCH_ROWS = 10_000;

export interface RowFieldError {
  pointer: string;
  detail: string;
}

/** An award body read from the input, before validation; `errors` are problems found reading it. */
export interface RawBatchRow {
  /** CSV: the line in the file (header = 1). JSON: the 1-based position in the array. */
  line: number;
  body: unknown;
  errors?: RowFieldError[] | undefined;
}

export class BatchTooLargeError extends Error {
  readonly code = 'batch_too_large';
  constructor(readonly rows: number, readonly maxRows: number) {
    super(`The batch has ${rows} rows; a batch holds at most ${maxRows} (split the file)`);
  }
}

export class BatchInputError extends Error {
  readonly code = 'invalid_batch';
}

export const BATCH_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/**
 * A JSON batch: an array of POST /awards bodies, or `{"batchId": ..., "notify": true, "awards": [...]}`
 * (`notify`: email every awarded row's claim link to its recipient).
 */
export function awardRowsFromJson(value: unknown, maxRows: number): { rows: RawBatchRow[]; batchId?: string | undefined; notify?: boolean | undefined } {
  let list: unknown = value;
  let batchId: string | undefined;
  let notify: boolean | undefined;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { awards, batchId: id, notify: wanted, ...rest } = value as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) throw new BatchInputError(`Unknown field '${extra[0]}': a batch object has only 'batchId', 'notify' and 'awards'`);
    if (id !== undefined && typeof id !== 'string') throw new BatchInputError("'batchId' must be a string");
    if (wanted !== undefined && typeof wanted !== 'boolean') throw new BatchInputError("'notify' must be true or false");
    list = awards;
    batchId = id;
    notify = wanted;
  }
  if (!Array.isArray(list)) throw new BatchInputError('A JSON batch is an array of awards (the POST /awards body), or {"batchId": "...", "awards": [...]}');
  if (list.length === 0) throw new BatchInputError('The batch has no awards');
  if (list.length > maxRows) throw new BatchTooLargeError(list.length, maxRows);
  return { rows: list.map((body, i) => ({ line: i + 1, body })), batchId, notify };
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function rowIdempotencyKey(batchId: string, request: unknown): string {
  return `batch:${batchId}:${sha256(JSON.stringify(request))}`;
}

export interface PreparedBatch {
  rows: NewBatchRow[];
  /** Identifies the submission: the same rows give the same hash. */
  inputHash: string;
  valid: number;
}

/** With `notify`, a row whose recipient has no email address is invalid (the claim link cannot be sent). */
export function prepareBatchRows(batchId: string, raw: readonly RawBatchRow[], options: { notify?: boolean | undefined } = {}): PreparedBatch {
  const firstLineOfKey = new Map<string, number>();
  let valid = 0;
  const rows = raw.map((r): NewBatchRow => {
    if (r.errors && r.errors.length > 0) {
      return { line: r.line, state: 'invalid', problem: { code: 'invalid_row', detail: r.errors.map((e) => `${e.pointer}: ${e.detail}`).join('; '), errors: r.errors } };
    }
    const parsed = AwardRequestSchema.safeParse(r.body);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((issue) => ({ pointer: '/' + issue.path.map(String).join('/'), detail: issue.message }));
      return { line: r.line, state: 'invalid', problem: { code: 'invalid_row', detail: errors.map((e) => `${e.pointer}: ${e.detail}`).join('; '), errors } };
    }
    if (options.notify && !('email' in parsed.data.recipient)) {
      const errors = [{ pointer: '/recipient/email', detail: NEEDS_EMAIL_MESSAGE }];
      return { line: r.line, state: 'invalid', problem: { code: 'notify_needs_email', detail: `/recipient/email: ${NEEDS_EMAIL_MESSAGE}`, errors } };
    }
    const idempotencyKey = rowIdempotencyKey(batchId, parsed.data);
    const earlier = firstLineOfKey.get(idempotencyKey);
    // The same award twice in one file is one award: the later line points to the first.
    if (earlier !== undefined) {
      return { line: r.line, state: 'duplicate', duplicateOf: earlier, problem: { code: 'duplicate_row', detail: `the same award as line ${earlier}` } };
    }
    firstLineOfKey.set(idempotencyKey, r.line);
    valid++;
    return { line: r.line, state: 'pending', request: parsed.data, idempotencyKey };
  });
  const inputHash = sha256(JSON.stringify(raw.map((r) => [r.line, r.body, r.errors ?? null])));
  return { rows, inputHash, valid };
}

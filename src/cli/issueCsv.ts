// `educred issue --csv FILE [--batch-id ID]`: awards every row of a spreadsheet (the columns of
// src/awards/batchCsv.ts) against the local database, signing in worker threads, with a progress
// bar on stderr and a summary on stdout: each awarded row with its claim link (the same link on
// a re-run while it is valid), then the rows that were not awarded. Without --batch-id the batch
// id is derived from the file's content, so running the same file again finds its awards
// instead of making new ones.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { awardRowsFromCsv, CsvFormatError } from '../awards/batchCsv.js';
import { BATCH_ID, BatchTooLargeError, MAX_BATCH_ROWS } from '../awards/batchInput.js';
import { NothingToIssueError } from '../awards/batchRunner.js';
import { claimLinkFields, currentClaimLinks } from '../claims/claimLink.js';
import { startIssuance } from '../issuance.js';
import { NOT_CONFIGURED_MESSAGE } from '../mail/notify.js';
import { closeRuntime, createRuntime } from '../runtime.js';
import { serviceDeps } from '../service.js';
import type { RowState } from '../store/batches.js';
import type { OutboxState } from '../store/mailOutbox.js';
import type { Repositories } from '../store/store.js';
import { CliError, loadCliConfig, stderrLogger } from './io.js';
import { createProgressBar, type ProgressStream } from './progress.js';

export interface IssueCsvOptions {
  csv: string;
  batchId?: string | undefined;
  /** Email each awarded row's claim link to its recipient (--notify). */
  notify?: boolean | undefined;
}

export interface IssueCsvSummary {
  batchId: string;
  file: string;
  total: number;
  counts: Record<RowState, number>;
  /** Rows that were not awarded, with their line in the file and the reason. */
  problems: Array<{ line: number; state: RowState; detail: string }>;
  /** Awarded rows (now or by an earlier run), each with its claim link or why it has none. */
  awarded: AwardedRow[];
  /** With --notify: the batch's claim emails by state after the command's delivery attempt. */
  notifications?: Record<OutboxState, number>;
}

export interface AwardedRow {
  line: number;
  state: RowState;
  awardId: string;
  credentialId: string | null;
  /** The recipient as the file names them (email or DID). */
  recipient: string;
  claimUrl: string | null;
  claimExpiresAt?: string | undefined;
  claimUnavailable?: string | undefined;
}

/** The award's recipient as the program knows them: the email, or the DID. */
const recipientOf = async (store: Repositories, awardId: string): Promise<string> => {
  const award = await store.awards.find(awardId);
  return award?.recipientEmail ?? award?.recipientDid ?? '';
};

/** Adds --csv and --batch-id to the `issue` command (src/cli/issue.ts). */
export function addCsvOptions(command: Command): Command {
  return command
    .option('--csv <file>', 'award every row of a CSV file (columns: recipient_did|recipient_email, recipient_name, achievement, observations|evidence_json, valid_until)')
    .option('--batch-id <id>', 'with --csv: the batch id that makes a re-run resumable (default: derived from the file content)');
}

function readCsv(file: string): { text: string; sha256: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${(error as Error).message}`, 1, { cause: error });
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), sha256: createHash('sha256').update(bytes).digest('hex') };
  } catch (error) {
    throw new CliError(`${file} is not valid UTF-8: save the spreadsheet as "CSV UTF-8"`, 1, { cause: error });
  }
}

export async function issueCsvFromCli(options: IssueCsvOptions, progressStream: ProgressStream = process.stderr): Promise<IssueCsvSummary> {
  const { text, sha256 } = readCsv(options.csv);
  const batchId = options.batchId ?? `csv-${sha256.slice(0, 24)}`;
  if (!BATCH_ID.test(batchId)) throw new CliError('--batch-id is 1 to 100 characters: letters, digits, and . _ : - (not first)');
  let rows;
  try {
    rows = awardRowsFromCsv(text, MAX_BATCH_ROWS);
  } catch (error) {
    if (error instanceof CsvFormatError || error instanceof BatchTooLargeError) throw new CliError(`${options.csv}: ${error.message}`, 1, { cause: error });
    throw error;
  }
  const config = loadCliConfig();
  if (options.notify && !config.mail) throw new CliError(`--notify: ${NOT_CONFIGURED_MESSAGE}`);
  const logger = stderrLogger();
  const runtime = await createRuntime(config, logger);
  const issuance = startIssuance(serviceDeps(runtime), {
    workers: config.signingWorkers,
    fastPath: config.signingFastPath,
    extraContextsDir: config.extraContextsDir,
    batchLeaseMs: config.batchLeaseSeconds * 1000,
  });
  try {
    let submitted;
    const progress = createProgressBar(rows.length, `batch ${batchId}`, progressStream);
    try {
      submitted = await issuance.batches.submit(
        { batchId, actor: 'cli', source: 'csv', rows, notify: options.notify },
        { onRow: (state) => progress.tick(state === 'rejected' || state === 'failed') },
      );
    } catch (error) {
      if (error instanceof NothingToIssueError) {
        const lines = error.problems.slice(0, 20).map((p) => `  line ${p.line}: ${p.problem.detail}`);
        throw new CliError(`No row of ${options.csv} can be awarded:\n${lines.join('\n')}${error.problems.length > 20 ? `\n  … and ${error.problems.length - 20} more` : ''}`, 1, { cause: error });
      }
      throw error;
    }
    // Invalid and duplicate rows are decided on submission: count them on the bar at once.
    const onSubmit = await runtime.store.batches.rowCounts(batchId);
    for (let i = 0; i < onSubmit.invalid; i++) progress.tick(true);
    for (let i = 0; i < onSubmit.duplicate; i++) progress.tick(false);
    await submitted.done;
    progress.finish();
    const problems = (await runtime.store.batches.listRows(batchId, { offset: 0, limit: MAX_BATCH_ROWS, problemsOnly: true })).map((r) => ({
      line: r.line,
      state: r.state,
      detail: r.problem?.detail ?? r.state,
    }));
    const claims = serviceDeps(runtime);
    const rowsAwarded = (await runtime.store.batches.listRows(batchId, { offset: 0, limit: MAX_BATCH_ROWS })).filter((r): r is typeof r & { awardId: string } => r.awardId !== null);
    const links = await currentClaimLinks(claims, rowsAwarded.map((r) => r.awardId));
    const awarded = [];
    for (const r of rowsAwarded) {
      awarded.push({
      line: r.line,
      state: r.state,
      awardId: r.awardId,
      credentialId: r.credentialId,
      recipient: await recipientOf(runtime.store, r.awardId),
      ...claimLinkFields(links.get(r.awardId) ?? { unavailable: 'no-live-link' }),
      });
    }
    // One delivery attempt before exiting; unsent messages stay queued for the server's loop.
    if (options.notify) await runtime.mail?.deliverDue();
    const notifications = options.notify ? { notifications: await runtime.store.mail.claimEmailCountsForBatch(batchId) } : {};
    return { batchId, file: options.csv, total: rows.length, counts: await runtime.store.batches.rowCounts(batchId), problems, awarded, ...notifications };
  } finally {
    await issuance.close();
    await runtime.mail?.close();
    await closeRuntime(runtime);
  }
}

/** The summary for a person: the counts, each awarded row's claim link, then the problems. */
export function csvSummaryLines(summary: IssueCsvSummary): string[] {
  const counts = Object.entries(summary.counts).filter(([state, n]) => n > 0 && state !== 'pending').map(([state, n]) => `${n} ${state}`);
  const lines = [`Batch ${summary.batchId} from ${summary.file}: ${summary.total} rows (${counts.join(', ') || 'none processed'})`];
  if (summary.awarded.length > 0) {
    lines.push('Claim links (send each educator theirs; each works once):');
    for (const row of summary.awarded) {
      const link = row.claimUrl ? `${row.claimUrl}  (until ${row.claimExpiresAt})` : `no claim link: ${row.claimUnavailable ?? 'none'}`;
      lines.push(`  line ${row.line}  ${row.recipient}  ${link}`);
    }
  }
  if (summary.problems.length > 0) {
    lines.push('Not awarded:');
    for (const p of summary.problems) lines.push(`  line ${p.line}  ${p.state}  ${p.detail}`);
  }
  return lines;
}

/** Exit status of a CSV run: 0 when every row was awarded (now or before), 2 when some were not. */
export function csvExitCode(summary: IssueCsvSummary): number {
  const { invalid, rejected, failed } = summary.counts;
  return invalid + rejected + failed > 0 ? 2 : 0;
}

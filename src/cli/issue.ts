// `educred issue`: the same award as POST /awards, against the local database and key (the
// configuration comes from the environment, as for `educred serve`). The request is validated
// by the same schema, so the CLI and the API give the same answer for the same mistake, and
// the answer is the same too: the award with its claim link (BASE_URL's), printed for a person
// or, with --json [file], as POST /awards's JSON body.
import type { Command } from 'commander';
import { AwardRequestSchema, type AwardRequest } from '../awards/awardRequest.js';
import { AwardExistsError, IdempotencyConflictError, InvalidAwardError, MasteryNotMetError, UnknownAchievementError } from '../awards/errors.js';
import { issueAward } from '../awards/issueAward.js';
import { addClaimLink, claimLinkFields, ensureClaimLink } from '../claims/claimLink.js';
import { assertNotifiable, NOT_CONFIGURED_MESSAGE, NotifyError } from '../mail/notify.js';
import { closeRuntime, createRuntime } from '../runtime.js';
import { serviceDeps } from '../service.js';
import type { Repositories } from '../store/store.js';
import { CliError, loadCliConfig, readJsonFile, stderrLogger, writeResults } from './io.js';
import { addCsvOptions, csvExitCode, csvSummaryLines, issueCsvFromCli } from './issueCsv.js';

export interface IssueOptions {
  request?: string | undefined;
  achievement?: string | undefined;
  recipientDid?: string | undefined;
  recipientEmail?: string | undefined;
  name?: string | undefined;
  evidence?: string | undefined;
  validUntil?: string | undefined;
  idempotencyKey?: string | undefined;
  /** Bulk: award every row of this CSV file (src/cli/issueCsv.ts). */
  csv?: string | undefined;
  batchId?: string | undefined;
  /** `--json` (true): JSON on stdout; `--json FILE`: JSON into FILE. */
  json?: string | boolean | undefined;
  /** Email the claim link to the recipient (queued with the award, sent before the command exits when the mail server answers). */
  notify?: boolean | undefined;
}

/** Where a claim email is after the command's delivery attempt. */
export interface CliNotification {
  state: string;
  attempts: number;
  lastError?: string | undefined;
}

/** What `educred issue` answers: POST /awards's body; `replayed` when an earlier request made the award (as `Idempotent-Replayed`). */
export interface IssueResult {
  id: string;
  credential: Record<string, unknown>;
  replayed?: true;
  claimUrl: string | null;
  claimExpiresAt?: string | undefined;
  claimUnavailable?: string | undefined;
  /** With --notify: the claim email after the command's delivery attempt. */
  notification?: CliNotification;
}

/** Builds the POST /awards body from the flags (or reads it whole from --request) and validates it. */
export function buildAwardRequest(options: IssueOptions): AwardRequest {
  let body: unknown;
  if (options.request !== undefined) {
    const flags = ['achievement', 'recipientDid', 'recipientEmail', 'name', 'evidence', 'validUntil'] as const;
    if (flags.some((f) => options[f] !== undefined)) throw new CliError('--request carries the whole award: do not combine it with other award flags');
    body = readJsonFile(options.request);
  } else {
    if (!options.achievement) throw new CliError('--achievement is required (or give the whole award with --request FILE.json)');
    if (!options.evidence) throw new CliError('--evidence FILE.json (a JSON array of observations) is required');
    if ((options.recipientDid === undefined) === (options.recipientEmail === undefined)) {
      throw new CliError('Give exactly one of --recipient-did DID or --recipient-email EMAIL');
    }
    const recipient = options.recipientDid !== undefined ? { id: options.recipientDid, name: options.name } : { email: options.recipientEmail, name: options.name };
    body = {
      recipient: JSON.parse(JSON.stringify(recipient)) as unknown, // drops an absent name
      achievement: options.achievement,
      evidence: readJsonFile(options.evidence),
      ...(options.validUntil !== undefined ? { validUntil: options.validUntil } : {}),
    };
  }
  const parsed = AwardRequestSchema.safeParse(body);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  /${i.path.join('/')}: ${i.message}`);
    throw new CliError(`Invalid award request:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** The award for a person: who got what, and the link to send them. */
export function issueLines(result: IssueResult): string[] {
  const subject = result.credential.credentialSubject as { achievement?: { name?: unknown } } | undefined;
  const name = typeof subject?.achievement?.name === 'string' ? subject.achievement.name : 'badge';
  return [
    `${result.replayed ? 'Already awarded' : 'Awarded'}: ${name} (award ${result.id})`,
    `Credential: ${String(result.credential.id)}`,
    result.claimUrl
      ? `Claim link (send it to the educator; it works once, until ${result.claimExpiresAt}): ${result.claimUrl}`
      : `No claim link: ${result.claimUnavailable ?? 'none'}`,
    ...(result.notification ? [notificationLine(result.notification)] : []),
  ];
}

function notificationLine(n: CliNotification): string {
  if (n.state === 'sent') return 'Claim email: sent to the educator';
  if (n.state === 'pending') return `Claim email: queued, not sent yet (${n.lastError ?? 'will be retried'}); the server's delivery loop sends it`;
  return `Claim email: ${n.state}${n.lastError ? ` (${n.lastError})` : ''}`;
}

const USER_ERRORS = [UnknownAchievementError, MasteryNotMetError, InvalidAwardError, IdempotencyConflictError, AwardExistsError];

export async function issueFromCli(options: IssueOptions): Promise<IssueResult> {
  const request = buildAwardRequest(options);
  const config = loadCliConfig();
  if (options.notify) {
    if (!config.mail) throw new CliError(`--notify: ${NOT_CONFIGURED_MESSAGE}`);
    try {
      assertNotifiable(request);
    } catch (error) {
      if (error instanceof NotifyError) throw new CliError(`--notify: ${error.message} (use --recipient-email)`, 1, { cause: error });
      throw error;
    }
  }
  const runtime = await createRuntime(config, stderrLogger());
  try {
    // The dependencies the server builds from the same runtime (src/service.ts): the same badge,
    // with the same status entries, and the same claim link (stored in the award's transaction;
    // a replay gets the live one back), as POST /awards. With --notify the claim email is queued
    // in that transaction too.
    const deps = serviceDeps(runtime);
    const onStored = async (award: { id: string }, tx: Repositories): Promise<void> => {
      await addClaimLink(deps, award.id, tx);
      if (options.notify) await tx.mail.queueClaimEmail(award.id);
    };
    const outcome = await issueAward(deps, request, { actor: 'cli', idempotencyKey: options.idempotencyKey, onStored });
    const result: IssueResult = {
      id: outcome.award.id,
      credential: outcome.award.credential,
      ...(outcome.created ? {} : { replayed: true as const }),
      ...claimLinkFields(await ensureClaimLink(deps, outcome.award.id)),
    };
    if (!options.notify || !runtime.mail) return result;
    if (!outcome.created) await runtime.store.mail.queueClaimEmail(outcome.award.id);
    // One delivery attempt before exiting; what the mail server did not take stays queued for
    // the server's delivery loop (and the award stands either way).
    await runtime.mail.deliverDue();
    const row = await runtime.store.mail.findClaimEmail(outcome.award.id);
    return { ...result, notification: { state: row?.state ?? 'missing', attempts: row?.attempts ?? 0, ...(row?.state !== 'sent' && row?.lastError ? { lastError: row.lastError } : {}) } };
  } catch (error) {
    if (USER_ERRORS.some((type) => error instanceof type)) throw new CliError((error as Error).message, 1, { cause: error });
    throw error;
  } finally {
    await runtime.mail?.close();
    await closeRuntime(runtime);
  }
}

export function register(program: Command): void {
  const command = program
    .command('issue')
    .description('award a badge (as POST /awards) against the local database; prints the award and its claim link (--json: {id, credential, claimUrl, claimExpiresAt}, and replayed: true for a badge the same request already made)')
    .option('--request <file>', 'the whole POST /awards body as a JSON file')
    .option('--achievement <code>', 'achievement code, e.g. formative-assessment')
    .option('--recipient-did <did>', 'recipient DID')
    .option('--recipient-email <email>', 'recipient email (stored; the credential carries a salted hash)')
    .option('--name <name>', 'recipient display name (required with --recipient-email)')
    .option('--evidence <file>', 'JSON array of observations')
    .option('--valid-until <iso-time>', 'expiry of the credential')
    .option('--idempotency-key <key>', 'a retry with the same key returns the same award (and the same claim link)')
    .option('--json [file]', 'the results as JSON (with each claimUrl) on stdout, or into FILE')
    .option('--notify', 'email the claim link to the recipient (needs EDUCRED_SMTP_URL and EDUCRED_MAIL_FROM; also with --csv)');
  addCsvOptions(command).action(async (options: IssueOptions) => {
    if (options.csv !== undefined) {
      const summary = await issueCsvFromCli({ csv: options.csv, batchId: options.batchId, notify: options.notify });
      writeResults(summary, options.json, () => csvSummaryLines(summary));
      process.exitCode = csvExitCode(summary);
      return;
    }
    const result = await issueFromCli(options);
    writeResults(result, options.json, () => issueLines(result));
  });
}

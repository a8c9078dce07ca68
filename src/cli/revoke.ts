// `educred revoke|suspend|reinstate <awardId> --reason <text>`: changes an award's status in
// the local database (as POST /awards/:id/revoke does over HTTP), audits the reason, and signs
// the changed status list at once so the running server publishes it on its next request.
import { countStatusChange } from '../metrics.js';
import type { Command } from 'commander';
import { closeRuntime, createRuntime } from '../runtime.js';
import { NoStatusEntryError, RevocationFinalError, StatusListIssuerChangedError, UnknownAwardError } from '../status/errors.js';
import { createStatusListPublisher } from '../status/publisher.js';
import { changeAwardStatus, type StatusAction, type StatusChangeOutcome } from '../status/statusChanges.js';
import { CliError, loadCliConfig, printJson, stderrLogger } from './io.js';

export async function changeStatusFromCli(awardId: string, action: StatusAction, reason: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<StatusChangeOutcome> {
  const why = reason?.trim();
  if (!why) throw new CliError('--reason is required: it is kept in the audit log (never in the public status list)');
  const config = loadCliConfig(env);
  const runtime = await createRuntime(config, stderrLogger());
  try {
    const outcome = await changeAwardStatus(runtime.store, { awardId, action, reason: why, actor: 'cli' });
    countStatusChange(action, outcome.changed);
    if (outcome.published) {
      const publisher = createStatusListPublisher({ store: runtime.store, issuer: runtime.issuer, baseUrl: config.baseUrl });
      await publisher.publish(outcome.published.listId, outcome.published.version);
    }
    return outcome;
  } catch (error) {
    if (error instanceof UnknownAwardError || error instanceof RevocationFinalError || error instanceof NoStatusEntryError || error instanceof StatusListIssuerChangedError) {
      throw new CliError(error.message, 1, { cause: error });
    }
    throw error;
  } finally {
    await closeRuntime(runtime);
  }
}

const DESCRIPTIONS: Record<StatusAction, string> = {
  revoke: 'revoke an award (final: a revoked badge cannot be reinstated)',
  suspend: 'suspend an award (reversible with `reinstate`)',
  reinstate: 'lift the suspension of an award',
};

export function register(program: Command): void {
  for (const action of ['revoke', 'suspend', 'reinstate'] as const) {
    program
      .command(`${action} <awardId>`)
      .description(DESCRIPTIONS[action])
      .requiredOption('--reason <text>', 'why (kept in the audit log only)')
      .action(async (awardId: string, options: { reason?: string }) => {
        const outcome = await changeStatusFromCli(awardId, action, options.reason);
        printJson({ id: outcome.awardId, action: outcome.action, changed: outcome.changed, status: outcome.status });
      });
  }
}

// Operational metrics in the Prometheus exposition format (prom-client), served by GET /metrics
// (src/http/metrics.ts). Each place where an event happens records it with one call here, so
// the domain modules carry a single line each. The registry belongs to the process, as a
// Prometheus target does: every label has a small, fixed set of values (an achievement code of
// the framework, a check's code, a state), never an id, a recipient or anything a caller chose.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AwardOutcome } from './awards/issueAward.js';
import type { RowState } from './store/batches.js';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'educred_' });

const awardsIssued = new Counter({ name: 'educred_awards_issued_total', help: 'Awards (signed badges) stored, by achievement code', labelNames: ['achievement'], registers: [registry] });
const signingSeconds = new Histogram({
  name: 'educred_signing_seconds',
  help: 'Time to canonicalize and sign one credential (proof suite and key provider), by suite',
  labelNames: ['suite'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});
const statusChanges = new Counter({ name: 'educred_status_changes_total', help: 'Status changes applied (revoke, suspend, reinstate)', labelNames: ['action'], registers: [registry] });
const verifications = new Counter({
  name: 'educred_verifications_total',
  help: "Verifications by kind and outcome: 'verified', or the code of the first failed check",
  labelNames: ['kind', 'outcome'],
  registers: [registry],
});
const claimDeliveries = new Counter({ name: 'educred_claim_deliveries_total', help: 'Badges handed to their educator, by protocol (download, vc-api-exchange)', labelNames: ['protocol'], registers: [registry] });
const batchRows = new Counter({ name: 'educred_batch_rows_total', help: 'Bulk award rows decided, by state', labelNames: ['state'], registers: [registry] });
const mailQueueDepth = new Gauge({ name: 'educred_mail_queue_depth', help: 'Claim emails waiting to be sent (pending in the outbox)', registers: [registry] });

/** Counts the awards a store call created (replays are not new awards); returns the outcomes unchanged. */
export function countIssued<T extends AwardOutcome | Error>(outcomes: T[]): T[] {
  for (const outcome of outcomes) if (!(outcome instanceof Error) && outcome.created) awardsIssued.inc({ achievement: outcome.award.achievementCode });
  return outcomes;
}

/** Times one signing; the suite is the one asked for or the issuer's. */
export async function timeSigning<T>(suite: string, sign: () => Promise<T>): Promise<T> {
  const end = signingSeconds.startTimer({ suite });
  try {
    return await sign();
  } finally {
    end();
  }
}

export const countStatusChange = (action: string, changed: boolean): void => {
  if (changed) statusChanges.inc({ action });
};

/** A verification's outcome: the first failed check's code (a constant of src/verify/), or 'verified'. */
export function countVerification(kind: 'credential' | 'presentation', report: { verified: boolean; checks: ReadonlyArray<{ passed: boolean; code?: string | undefined }> }): void {
  const failed = report.checks.find((check) => !check.passed);
  verifications.inc({ kind, outcome: report.verified ? 'verified' : (failed?.code ?? 'not_verified') });
}

export const countClaimDelivery = (protocol: 'download' | 'vc-api-exchange'): void => void claimDeliveries.inc({ protocol });

export const countBatchRow = (state: RowState): void => void batchRows.inc({ state });

export const setMailQueueDepth = (pending: number): void => mailQueueDepth.set(pending);

export const METRICS_CONTENT_TYPE = registry.contentType;

// A wallet answers a presentation request: the presentation is verified for the request's
// challenge and domain, under its rule, with status lists fetched now (maxStatusAge 0: a
// licence decision cannot rest on a list read an hour ago); then, in one transaction, the
// request is marked answered (once: a compare-and-set) and the decision record is stored.
// A presentation that does not prove the challenge answers nothing: the request stays open.
import { randomUUID } from 'node:crypto';
import type { DecisionRecord, PresentationProtocol } from '../store/decisions.js';
import type { PresentationRequestRecord } from '../store/presentationRequests.js';
import type { Store } from '../store/store.js';
import type { ApprovalDecision, PresentationReport, RequirementResult } from '../verify/report.js';
import type { Verifier } from '../verify/types.js';
import { PresentationRefusedError, PresentationRequestAnsweredError, PresentationRequestExpiredError, PresentationRequestNotFoundError } from './errors.js';
import { stateOf } from './requests.js';

export interface AnswerDeps {
  store: Store;
  verifier: Verifier;
}

export interface PresentationAnswer {
  /** The presentation to verify (a JSON-LD VP; a JWT VP is decoded by the caller's protocol). */
  presentation: unknown;
  /** What the wallet sent, as it sent it: kept in the decision record. */
  presented: unknown;
  /** What was asked, as sent to the wallet: kept in the decision record. */
  asked: unknown;
  protocol: PresentationProtocol;
  /** The domain the holder's proof must carry: the request's (VC-API) or the OID4VP client_id. */
  domain: string;
  now: Date;
}

/** The decision as the agency reads it: approved or not, for whom, each requirement in words. */
export interface DecisionView {
  id: string;
  approved: boolean;
  verified: boolean;
  holder: string | null;
  name: string | null;
  rule: string;
  protocol: PresentationProtocol;
  requirements: RequirementResult[];
  credits?: ApprovalDecision['credits'];
  decidedAt: string;
}

export function decisionView(record: DecisionRecord): DecisionView {
  const approval = (record.report as PresentationReport).approval;
  return {
    id: record.id,
    approved: record.approved,
    verified: record.verified,
    holder: record.holder,
    name: record.name,
    rule: record.rule,
    protocol: record.protocol,
    requirements: approval?.requirements ?? [],
    ...(approval?.credits ? { credits: approval.credits } : {}),
    decidedAt: record.decidedAt,
  };
}

/** The educator's name as the holder's own verified badges state it (the most frequent one). */
export function holderName(report: PresentationReport): string | undefined {
  const counts = new Map<string, number>();
  for (const c of report.credentials) {
    if (!c.verified || c.summary.subject !== report.holder || !c.summary.subjectName) continue;
    counts.set(c.summary.subjectName, (counts.get(c.summary.subjectName) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

async function openRequest(store: Store, id: string, now: Date): Promise<PresentationRequestRecord> {
  const request = await store.presentationRequests.find(id);
  if (!request) throw new PresentationRequestNotFoundError(id);
  const state = stateOf(request, now);
  if (state === 'answered') throw new PresentationRequestAnsweredError(id);
  if (state === 'expired') throw new PresentationRequestExpiredError(id, request.expiresAt);
  return request;
}

export async function answerPresentationRequest(deps: AnswerDeps, id: string, answer: PresentationAnswer): Promise<{ decision: DecisionRecord; report: PresentationReport }> {
  const request = await openRequest(deps.store, id, answer.now);
  const report = await deps.verifier.verifyPresentation(answer.presentation, { challenge: request.challenge, domain: answer.domain, rule: request.rule, now: answer.now, maxStatusAge: 0 });
  // Only a presentation signed by its holder for this very challenge answers the request.
  const refusal = report.checks.find((c) => (c.check === 'presentation_structure' || c.check === 'presentation_proof') && !c.passed);
  if (refusal) throw new PresentationRefusedError(refusal.code ?? 'presentation_refused', refusal.reason, report);
  const decision: DecisionRecord = {
    id: randomUUID(),
    requestId: request.id,
    rule: request.rule,
    protocol: answer.protocol,
    approved: report.approval?.approved ?? false,
    verified: report.verified,
    holder: report.holder ?? null,
    name: holderName(report) ?? null,
    asked: answer.asked,
    presented: answer.presented,
    report,
    decidedAt: answer.now.toISOString(),
  };
  await deps.store.transaction(async (tx) => {
    if (!(await tx.presentationRequests.answer(request.id, decision.id, answer.now))) {
      // Answered (or expired) while this one was being verified: the first answer stands.
      const current = await tx.presentationRequests.find(request.id);
      if (current && current.answeredAt === null) throw new PresentationRequestExpiredError(id, request.expiresAt);
      throw new PresentationRequestAnsweredError(id);
    }
    await tx.decisions.insert(decision);
  });
  return { decision, report };
}

// The verifier as the HTTP routes, the CLI and the pages see it: one object built once from
// configuration (document loader, DID resolver, status checker, trust policy), then called
// per request. Every method answers with a report; none throws on bad input.
import type { ApprovalDecision, CredentialReport, PresentationReport } from './report.js';

/** Who the verifier expects the badge to be about (OB 3.0 "recipient verification"). */
export interface ExpectedRecipient {
  /** The DID expected as `credentialSubject.id`. */
  did?: string | undefined;
  /** An email address to compare with the salted, hashed `identifier`. */
  email?: string | undefined;
}

export interface VerifyCredentialOptions {
  recipient?: ExpectedRecipient | undefined;
  /** VC-API `options.checks`: only these decide `verified` (all checks still run and are reported). */
  checks?: string[] | undefined;
  /** Verification time (default: now). */
  now?: Date | undefined;
  /** Seconds a cached status list may be old and still used (0: fetch it now); default: the list's ttl. */
  maxStatusAge?: number | undefined;
}

export interface VerifyPresentationOptions {
  /** The challenge the verifier gave the holder; the proof must carry it. */
  challenge?: string | undefined;
  /** The domain the verifier gave the holder; the proof must carry it. */
  domain?: string | undefined;
  /** The id of an approval rule of the trust policy to evaluate over the credentials. */
  rule?: string | undefined;
  /** For a single credential: who it should be about (a presentation's holder decides otherwise). */
  recipient?: ExpectedRecipient | undefined;
  /** VC-API `options.checks`: only these decide `verified`. */
  checks?: string[] | undefined;
  now?: Date | undefined;
  /** Seconds a cached status list may be old and still used (0: fetch it now); default: the list's ttl. */
  maxStatusAge?: number | undefined;
}

export interface RuleSummary {
  id: string;
  name: string;
  description?: string | undefined;
}

/** What a pasted or uploaded document turned out to be, with its report. */
export type DocumentVerification =
  | { kind: 'credential'; report: CredentialReport; approval?: ApprovalDecision | undefined }
  | { kind: 'presentation'; report: PresentationReport };

export interface Verifier {
  verifyCredential(credential: unknown, options?: VerifyCredentialOptions): Promise<CredentialReport>;
  verifyPresentation(presentation: unknown, options?: VerifyPresentationOptions): Promise<PresentationReport>;
  /** Credential or presentation, told apart by `type`; a rule applies to either. */
  verifyDocument(document: unknown, options?: VerifyPresentationOptions): Promise<DocumentVerification>;
  /** The approval rules of the trust policy. */
  rules(): RuleSummary[];
  /** The trust policy's name, for pages and reports. */
  policyName(): string;
}

// `educred verify FILE`: the verification pipeline from the command line, for a credential, a
// presentation, a JWT, or a baked SVG or PNG badge. The exit code answers the question a script asks: 0 only
// when verified (and, with --rule, approved); 1 when not; 2 when the check could not be run.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { BakingError, extractFromSvg, looksLikeSvg } from '../badges/baking.js';
import { ConfigError, loadConfig } from '../config.js';
import { isCompactJwt } from '../credentials/jwtCredential.js';
import { extractFromPng, looksLikePng } from '../badges/pngBaking.js';
import { createGuardedFetcher } from '../net/guardedFetch.js';
import { loadExtraContexts } from '../signing/documentLoader.js';
import type { ApprovalDecision, Check, CredentialReport } from '../verify/report.js';
import { PinnedDocuments, PinnedDocumentError } from '../verify/pinnedDocuments.js';
import { EMPTY_TRUST_POLICY, loadTrustPolicy, TrustPolicyError } from '../verify/trustPolicy.js';
import type { DocumentVerification } from '../verify/types.js';
import { createVerifier, UnknownRuleError } from '../verify/verifier.js';
import { CliError, parseJson, printJson } from './io.js';

export interface VerifyCliOptions {
  policy?: string | undefined;
  rule?: string | undefined;
  documents?: string | undefined;
  challenge?: string | undefined;
  domain?: string | undefined;
  recipientDid?: string | undefined;
  recipientEmail?: string | undefined;
  offline?: boolean | undefined;
}

const NOT_RUN = 2;

/** The document in a file: JSON, a baked SVG, or a JSON answer that wraps one (`{verifiableCredential}`, `{credential}`). */
export function readVerifiable(file: string): unknown {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${(error as Error).message}`, NOT_RUN, { cause: error });
  }
  if (looksLikePng(bytes)) {
    let baked;
    try {
      baked = extractFromPng(bytes);
    } catch (error) {
      if (error instanceof BakingError) throw new CliError(`${file}: ${error.message}`, NOT_RUN, { cause: error });
      throw error;
    }
    if (!baked) throw new CliError(`${file} is a PNG image with no credential baked into it`, NOT_RUN);
    return baked.kind === 'json' ? baked.credential : baked.jwt;
  }
  const text = bytes.toString('utf8');
  if (looksLikeSvg(text)) {
    let baked;
    try {
      baked = extractFromSvg(text);
    } catch (error) {
      if (error instanceof BakingError) throw new CliError(`${file}: ${error.message}`, NOT_RUN, { cause: error });
      throw error;
    }
    if (!baked) throw new CliError(`${file} is an SVG image with no credential baked into it`, NOT_RUN);
    return baked.kind === 'json' ? baked.credential : baked.jwt;
  }
  // A JWT-secured badge (OB 3.0 §8.2): the compact JWT itself is the document.
  if (isCompactJwt(text.trim())) return text.trim();
  let document: unknown;
  try {
    document = parseJson(text, file);
  } catch (error) {
    throw new CliError((error as Error).message, NOT_RUN, { cause: error });
  }
  if (typeof document === 'object' && document !== null && !('@context' in document)) {
    const wrapper = document as Record<string, unknown>;
    return wrapper.verifiableCredential ?? wrapper.verifiablePresentation ?? wrapper.credential ?? document;
  }
  return document;
}

export async function verifyFromCli(file: string, options: VerifyCliOptions, env: NodeJS.ProcessEnv = process.env): Promise<DocumentVerification> {
  let verification: DocumentVerification;
  try {
    const config = loadConfig(env);
    const policyFile = options.policy ?? config.trustPolicyFile;
    const policy = policyFile ? loadTrustPolicy(policyFile) : EMPTY_TRUST_POLICY;
    const pinned = PinnedDocuments.fromDirectory(options.documents ?? config.verifyDocumentsDir);
    const guarded = createGuardedFetcher({
      timeoutMs: config.fetch.timeoutMs,
      maxBytes: config.fetch.maxBytes,
      allowPrivateNetworks: config.fetch.allowPrivateNetworks,
      ca: config.fetch.caFile ? readFileSync(config.fetch.caFile, 'utf8') : undefined,
    });
    const fetchJson = options.offline
      ? async (url: string): Promise<unknown> => {
          throw new Error(`offline: ${url} was not fetched (pin it with --documents)`);
        }
      : guarded.fetchJson;
    const verifier = createVerifier({ policy, pinned, fetchJson, maxFetchBytes: config.fetch.maxBytes, extraContexts: loadExtraContexts(config.extraContextsDir) });
    const document = readVerifiable(file);
    const recipient = options.recipientDid || options.recipientEmail ? { did: options.recipientDid, email: options.recipientEmail } : undefined;
    verification = await verifier.verifyDocument(document, { rule: options.rule, challenge: options.challenge, domain: options.domain, recipient });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof TrustPolicyError || error instanceof PinnedDocumentError || error instanceof UnknownRuleError) {
      throw new CliError(error.message, NOT_RUN, { cause: error });
    }
    throw error;
  }
  return verification;
}

/** True when the answer is yes: verified, and approved when a rule was asked. */
export function isAccepted(verification: DocumentVerification): boolean {
  const approval = verification.kind === 'credential' ? verification.approval : verification.report.approval;
  return verification.report.verified && (approval === undefined || approval.approved);
}

const mark = (check: Check): string => `  ${check.passed ? '✓' : '✗'} ${check.check}: ${check.reason}`;

function credentialLines(report: CredentialReport, indent = ''): string[] {
  const { summary } = report;
  const title = summary.achievement?.name ?? summary.type.filter((t) => t !== 'VerifiableCredential').join(', ');
  return [
    `${indent}${report.verified ? 'VERIFIED' : 'NOT VERIFIED'}: ${title || 'credential'}${summary.issuer ? ` from ${summary.issuer.name ?? summary.issuer.id}` : ''}`,
    ...report.checks.map((c) => indent + mark(c)),
    `${indent}  ${report.trust.trusted ? '✓' : '✗'} trust: ${report.trust.reason}`,
    ...report.warnings.map((w) => `${indent}  ! ${w}`),
  ];
}

function approvalLines(approval: ApprovalDecision): string[] {
  return [
    `${approval.approved ? 'APPROVED' : 'NOT APPROVED'}: ${approval.name ?? approval.rule}${approval.recipient ? ` for ${approval.recipient}` : ''}`,
    ...approval.requirements.map((r) => `  ${r.satisfied ? '✓' : '✗'} ${r.requirement}: ${r.reason}`),
  ];
}

export function formatVerification(verification: DocumentVerification): string {
  if (verification.kind === 'credential') {
    return [...credentialLines(verification.report), ...(verification.approval ? ['', ...approvalLines(verification.approval)] : [])].join('\n');
  }
  const { report } = verification;
  return [
    `${report.verified ? 'VERIFIED' : 'NOT VERIFIED'}: presentation${report.holder ? ` by ${report.holder}` : ''}`,
    ...report.checks.map(mark),
    ...report.warnings.map((w) => `  ! ${w}`),
    ...report.credentials.flatMap((c) => ['', ...credentialLines(c, '  ')]),
    ...(report.approval ? ['', ...approvalLines(report.approval)] : []),
  ].join('\n');
}

export function register(program: Command): void {
  program
    .command('verify <file>')
    .description('verify a credential, a presentation or a baked SVG badge; exit 0 only when verified (and approved with --rule)')
    .option('--policy <file>', 'trust policy, JSON or YAML (trusted issuers, endorsers, approval rules); default EDUCRED_TRUST_POLICY')
    .option('--rule <name>', 'approval rule to decide (e.g. online-teaching)')
    .option('--documents <dir>', 'folder of pinned DID / controller documents, used before any network')
    .option('--challenge <text>', 'the challenge a presentation must answer')
    .option('--domain <text>', 'the domain a presentation must name')
    .option('--recipient-did <did>', 'check the credential was issued to this DID')
    .option('--recipient-email <email>', 'check the credential was issued to this email (salted hash)')
    .option('--offline', 'fetch nothing: DIDs and status lists only from --documents')
    .option('--json', 'print the full report as JSON')
    .action(async (file: string, options: VerifyCliOptions & { json?: boolean }) => {
      const verification = await verifyFromCli(file, options);
      if (options.json) printJson(verification);
      else process.stdout.write(formatVerification(verification) + '\n');
      process.exitCode = isAccepted(verification) ? 0 : 1;
    });
}

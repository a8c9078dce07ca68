// Presentation requests: a verifier asks a wallet for what one approval rule needs. Creating one
// makes the challenge and domain the holder must sign, a key for the officer's page, and the
// ways a wallet can answer: the VC-API exchange (a Verifiable Presentation Request with
// QueryByExample and DIDAuthentication, VP Request Spec §3), the interaction URL of VCALM that
// names every protocol, and OpenID for Verifiable Presentations 1.0 (src/presentations/openid4vp.ts).
import { randomBytes } from 'node:crypto';
import { VC_V2_CONTEXT } from '../credentials/openBadge.js';
import type { JsonObject } from '../signing/suites.js';
import { hashPageKey, type PresentationRequestRecord } from '../store/presentationRequests.js';
import type { Store } from '../store/store.js';
import type { RuleSummary } from '../verify/types.js';
import { UnknownRuleError } from '../verify/verifier.js';

/** How long a wallet has to answer (an officer is waiting at a desk or on a call). */
export const PRESENTATION_REQUEST_TTL_MS = 15 * 60_000;

/** The credential types a rule can be answered with: badges, a CLR holding them, a licence. */
export const REQUESTED_CREDENTIAL_TYPES = ['OpenBadgeCredential', 'AchievementCredential', 'ClrCredential'] as const;

export type PresentationRequestState = 'pending' | 'answered' | 'expired';

export interface PresentationRequestUrls {
  exchangeUrl: string;
  interactUrl: string;
  openid4vpUrl: string;
  pageUrl: string;
  /** OID4VP: where the wallet fetches the signed request object (request_uri). */
  openid4vpRequestUri: string;
  /** OID4VP: where the wallet posts its vp_token (response_mode direct_post). */
  openid4vpResponseUri: string;
}

const randomId = (bytes: number): string => randomBytes(bytes).toString('base64url');

/** The request's paths: a random id names it (unguessable: the exchange is public to wallets). */
export function requestUrls(baseUrl: string, id: string, pageKey: string | undefined, openid4vpUrl: string): PresentationRequestUrls {
  const base = `${baseUrl}/presentation-requests/${id}`;
  return {
    exchangeUrl: `${base}/exchange`,
    // VCALM §3.4 interaction URL: `iuv=1` marks it, and a GET answers the protocols it offers.
    interactUrl: `${base}/interact?iuv=1`,
    openid4vpUrl,
    pageUrl: pageKey === undefined ? `${base}/page` : `${base}/page?key=${pageKey}`,
    openid4vpRequestUri: `${base}/openid4vp/request`,
    openid4vpResponseUri: `${base}/openid4vp/response`,
  };
}

export function stateOf(request: PresentationRequestRecord, now: Date): PresentationRequestState {
  if (request.answeredAt !== null) return 'answered';
  return Date.parse(request.expiresAt) <= now.getTime() ? 'expired' : 'pending';
}

export interface NewPresentationRequest {
  record: PresentationRequestRecord;
  /** The officer page's key: returned once (in pageUrl), only its hash is stored. */
  pageKey: string;
}

export async function createPresentationRequest(
  deps: { store: Store; baseUrl: string; rules: RuleSummary[] },
  input: { rule: string; purpose?: string | undefined; createdBy: string; now: Date },
): Promise<NewPresentationRequest> {
  if (!deps.rules.some((r) => r.id === input.rule)) throw new UnknownRuleError(input.rule, deps.rules.map((r) => r.id));
  const pageKey = randomId(32);
  const record = await deps.store.presentationRequests.insert({
    id: randomId(16),
    rule: input.rule,
    purpose: input.purpose ?? null,
    challenge: randomId(24),
    // VC Data Integrity §2.1 `domain`: the verifier's own origin host, which a wallet shows.
    domain: new URL(deps.baseUrl).host,
    pageKeyHash: hashPageKey(pageKey),
    createdBy: input.createdBy,
    createdAt: input.now.toISOString(),
    expiresAt: new Date(input.now.getTime() + PRESENTATION_REQUEST_TTL_MS).toISOString(),
  });
  return { record, pageKey };
}

/**
 * The Verifiable Presentation Request (VP Request Spec §3.2 QueryByExample, §3.1 DIDAuthentication)
 * the exchange answers `POST {}` with: one query per credential type the rule can use, the
 * DID-authentication the holder binding needs, and where to send the presentation.
 */
export function verifiablePresentationRequest(request: PresentationRequestRecord, rule: RuleSummary, urls: Pick<PresentationRequestUrls, 'exchangeUrl'>): JsonObject {
  const reason = request.purpose ?? `${rule.name}: the verifier asks for the badges this decision needs.`;
  return {
    verifiablePresentationRequest: {
      query: [
        {
          type: 'QueryByExample',
          credentialQuery: REQUESTED_CREDENTIAL_TYPES.map((type) => ({
            reason,
            example: { '@context': [VC_V2_CONTEXT], type: ['VerifiableCredential', type] },
          })),
        },
        {
          type: 'DIDAuthentication',
          acceptedMethods: [{ method: 'key' }, { method: 'web' }],
          acceptedCryptosuites: [{ cryptosuite: 'eddsa-rdfc-2022' }, { cryptosuite: 'Ed25519Signature2020' }],
        },
      ],
      challenge: request.challenge,
      domain: request.domain,
      interact: { service: [{ type: 'UnmediatedPresentationService2021', serviceEndpoint: urls.exchangeUrl }] },
    },
  };
}

// OID4VCI 1.0, pre-authorized code flow, over a claim link:
//   GET  /claim/:token/offer          → the credential offer (§4.1.1; the credential_offer_uri target)
//   POST /oid4vci/token               → pre-authorized code (+ tx_code) for an access token (§6)
//   POST /oid4vci/nonce               → a c_nonce (§7)
//   POST /oid4vci/credential          → key proof → the badge bound to the holder's DID (§8)
// A claim link is spent by whichever protocol collects first (this one or the VC-API exchange),
// in the same transaction and with the same checks (src/claims/claimAward.ts deliverToHolder).
// The code is redeemed once and lives no longer than its link; the access token lives ten
// minutes at most. Protocol messages are validated by @openid4vc (src/oid4vci/metadata.ts);
// the credentials are educred's own (Data Integrity as stored, or the JWT form).
import { randomBytes, type KeyObject } from 'node:crypto';
import { preAuthorizedCodeGrantIdentifier } from '@openid4vc/oauth2';
import type { CredentialOfferObject, ParseCredentialRequestReturn } from '@openid4vc/openid4vci';
import { deliverToHolder, openDeliverableClaim, openDeliverableClaimByHash, type ClaimDeps } from '../claims/claimAward.js';
import { subjectDid } from '../claims/bindCredential.js';
import { assertBundleLive, deliverable, deliverBundleItem, NotInBundleError, NothingToClaimError, openBundle, openBundleByHash, type BundleView } from '../claims/claimBundle.js';
import type { Oid4vciGrantRecord } from '../store/oid4vciGrants.js';
import { assertLive } from '../claims/claimLink.js';
import { awardLiveStatus, withholdsClaim } from '../claims/claimStatus.js';
import { AwardNotClaimableError, ClaimGoneError, ClaimNotFoundError, RecipientMismatchError } from '../claims/errors.js';
import { issuerJwtSigner, signJwtCredential } from '../credentials/jwtCredential.js';
import type { JsonObject } from '../signing/suites.js';
import { OauthError } from './errors.js';
import { createNonce, credentialIdentifier, NONCE_TTL_SECONDS, preAuthorizedCode, sameSecret, transactionCode, TX_CODE_LENGTH } from './grantSecrets.js';
import { verifyKeyProof } from './keyProof.js';
import { CLR_LDP_VC_CONFIGURATION, CREDENTIAL_CONFIGURATIONS, issuerMetadataResult, LDP_VC_CONFIGURATION, JWT_VC_CONFIGURATION, oid4vciEndpoints, vciIssuer, type CredentialConfigurationId } from './metadata.js';

export interface Oid4vciDeps extends ClaimDeps {
  claimSecret: KeyObject;
  /** `required`: every pre-authorized code needs its transaction code (EDUCRED_OID4VCI_TX_CODE). */
  oid4vciTxCode?: 'off' | 'required' | undefined;
}

/** Access tokens live this long, and never past their link (RFC 6749 §5.1 expires_in). */
export const ACCESS_TOKEN_TTL_SECONDS = 600;
/** Wrong transaction codes before the grant is locked: six digits are a million guesses, not five. */
export const MAX_TX_CODE_FAILURES = 5;

const nowOf = (deps: ClaimDeps): Date => (deps.now ?? (() => new Date()))();
const metadataOf = (deps: Oid4vciDeps) => issuerMetadataResult(deps.baseUrl, deps.issuer.profile.name, deps.issuer.suite);

/** The URL a wallet fetches the offer from (§4.1.3 credential_offer_uri). */
export const credentialOfferUri = (baseUrl: string, token: string): string => `${baseUrl}/claim/${token}/offer`;
/** The deep link / QR content for OID4VCI wallets (§4.1: openid-credential-offer scheme). */
export const credentialOfferDeepLink = (baseUrl: string, token: string): string =>
  `openid-credential-offer://?${new URLSearchParams({ credential_offer_uri: credentialOfferUri(baseUrl, token) }).toString()}`;

export interface OfferForPage {
  deepLink: string;
  /** Shown beside the offer when the program requires one (never inside the offer). */
  txCode?: string | undefined;
}

/** What the claim page shows for OID4VCI wallets. */
export function offerForPage(deps: Oid4vciDeps, token: string, linkTokenHash: string): OfferForPage {
  return {
    deepLink: credentialOfferDeepLink(deps.baseUrl, token),
    ...(deps.oid4vciTxCode === 'required' ? { txCode: transactionCode(deps.claimSecret, linkTokenHash) } : {}),
  };
}

/**
 * The credential offer of a live claim link (throws the claim errors for a gone or withheld
 * one). Both configurations are offered: the wallet asks for the one it holds.
 */
export async function credentialOffer(deps: Oid4vciDeps, token: string): Promise<CredentialOfferObject> {
  let link: { tokenHash: string; expiresAt: string };
  let configurations: string[] = [...CREDENTIAL_CONFIGURATIONS];
  if (!(await deps.store.claimLinks.find(token)) && (await deps.store.claimLinks.findBundle(token))) {
    // One offer with several credentials (issue 16): the configurations of what the bundle holds.
    const view = await openBundle(deps, token);
    const items = deliverable(view);
    if (items.length === 0) throw new NothingToClaimError();
    configurations = configurationsOf(view);
    link = view.bundle;
  } else {
    link = (await openDeliverableClaim(deps, token)).link;
  }
  const code = preAuthorizedCode(deps.claimSecret, link.tokenHash);
  await deps.store.oid4vciGrants.ensure({ code, linkTokenHash: link.tokenHash, createdAt: nowOf(deps), expiresAt: link.expiresAt });
  const txCode =
    deps.oid4vciTxCode === 'required'
      ? { input_mode: 'numeric' as const, length: TX_CODE_LENGTH, description: 'The six-digit code shown on your claim page, beside the wallet button.' }
      : undefined;
  const { credentialOfferObject } = await vciIssuer.createCredentialOffer({
    issuerMetadata: metadataOf(deps),
    credentialConfigurationIds: configurations,
    grants: { [preAuthorizedCodeGrantIdentifier]: { 'pre-authorized_code': code, ...(txCode ? { tx_code: txCode } : {}) } },
  });
  return credentialOfferObject;
}

/** The configurations one credential is offered in: a badge in both forms, a program record as ldp_vc. */
const configurationsOfItem = (record: boolean): string[] => (record ? [CLR_LDP_VC_CONFIGURATION] : [...CREDENTIAL_CONFIGURATIONS]);

/** The configurations a bundle offers (§4.1.1 credential_configuration_ids), in metadata order. */
function configurationsOf(view: BundleView): string[] {
  const wanted = new Set(deliverable(view).flatMap((i) => configurationsOfItem(i.record)));
  return [LDP_VC_CONFIGURATION, JWT_VC_CONFIGURATION, CLR_LDP_VC_CONFIGURATION].filter((c) => wanted.has(c));
}

/** §6.2 authorization_details of the token response: per configuration, one credential_identifier per credential. */
export interface AuthorizationDetail {
  type: 'openid_credential';
  credential_configuration_id: string;
  credential_identifiers: string[];
}

function authorizationDetails(deps: Oid4vciDeps, codeHash: string, view: BundleView): AuthorizationDetail[] {
  const items = deliverable(view);
  return configurationsOf(view).map((configuration) => ({
    type: 'openid_credential' as const,
    credential_configuration_id: configuration,
    credential_identifiers: items.filter((i) => configurationsOfItem(i.record).includes(configuration)).map((i) => credentialIdentifier(deps.claimSecret, codeHash, i.award.id, configuration)),
  }));
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  /** Only for a bundle's grant (several credentials): what each credential_identifier names. */
  authorization_details?: AuthorizationDetail[];
}

/** §6: the token request of the pre-authorized code grant (already parsed by @openid4vc). */
export async function redeemPreAuthorizedCode(deps: Oid4vciDeps, grant: { preAuthorizedCode: string; txCode?: string | undefined }): Promise<TokenResponse> {
  const now = nowOf(deps);
  const record = await deps.store.oid4vciGrants.findByCode(grant.preAuthorizedCode);
  if (!record) throw new OauthError('invalid_grant', 'Unknown pre-authorized code');
  if (record.redeemedAt) throw new OauthError('invalid_grant', 'This pre-authorized code was already used');
  if (record.expiresAt <= now.toISOString()) throw new OauthError('invalid_grant', 'This pre-authorized code has expired (with its claim link)');
  let bundle: BundleView | undefined;
  try {
    const link = await deps.store.claimLinks.findByHash(record.linkTokenHash);
    if (link) assertLive(link, now);
    else {
      assertBundleLive(await deps.store.claimLinks.findBundleByHash(record.linkTokenHash), now);
      bundle = await openBundleByHash(deps, record.linkTokenHash);
      if (deliverable(bundle).length === 0) throw new OauthError('invalid_grant', 'Every credential of this offer was collected, revoked or suspended');
    }
  } catch (error) {
    if (error instanceof ClaimGoneError || error instanceof ClaimNotFoundError) throw new OauthError('invalid_grant', error.message);
    throw error;
  }
  // §6.1 and §6.3: a tx_code is sent exactly when the offer asked for one.
  if (deps.oid4vciTxCode === 'required') {
    if (grant.txCode === undefined) throw new OauthError('invalid_request', 'This pre-authorized code needs its transaction code (tx_code)');
    if (record.txCodeFailures >= MAX_TX_CODE_FAILURES) throw new OauthError('invalid_grant', 'Too many wrong transaction codes: this offer is locked; ask for a new claim link');
    if (!sameSecret(grant.txCode, transactionCode(deps.claimSecret, record.linkTokenHash))) {
      const failures = await deps.store.oid4vciGrants.countTxCodeFailure(record.codeHash);
      throw new OauthError('invalid_grant', `Wrong transaction code (${Math.max(0, MAX_TX_CODE_FAILURES - failures)} tries left)`);
    }
  } else if (grant.txCode !== undefined) {
    throw new OauthError('invalid_request', 'This pre-authorized code takes no transaction code');
  }
  const accessToken = randomBytes(32).toString('base64url');
  const expires = new Date(Math.min(now.getTime() + ACCESS_TOKEN_TTL_SECONDS * 1000, Date.parse(record.expiresAt)));
  if (!(await deps.store.oid4vciGrants.redeem(record.codeHash, accessToken, now, expires))) {
    throw new OauthError('invalid_grant', 'This pre-authorized code was already used');
  }
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: Math.max(1, Math.floor((expires.getTime() - now.getTime()) / 1000)),
    ...(bundle ? { authorization_details: authorizationDetails(deps, record.codeHash, bundle) } : {}),
  };
}

/** §7.2: a fresh c_nonce. */
export function nonceResponse(deps: Oid4vciDeps): Record<string, unknown> {
  return vciIssuer.createNonceResponse({ cNonce: createNonce(deps.claimSecret, nowOf(deps)), cNonceExpiresIn: NONCE_TTL_SECONDS });
}

function parseRequest(deps: Oid4vciDeps, body: unknown): { parsed: ParseCredentialRequestReturn; configuration: CredentialConfigurationId; proof: unknown } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new OauthError('invalid_credential_request', 'The credential request must be a JSON object');
  const asked = (body as Record<string, unknown>).credential_configuration_id;
  if (typeof asked === 'string' && !(CREDENTIAL_CONFIGURATIONS as readonly string[]).includes(asked)) {
    throw new OauthError('unknown_credential_configuration', `Unknown credential_configuration_id ${JSON.stringify(asked)}; this issuer offers ${CREDENTIAL_CONFIGURATIONS.join(', ')}`);
  }
  let parsed: ParseCredentialRequestReturn;
  try {
    parsed = vciIssuer.parseCredentialRequest({ issuerMetadata: metadataOf(deps), credentialRequest: body as Record<string, unknown> });
  } catch (error) {
    throw new OauthError('invalid_credential_request', (error as Error).message.split('\n').slice(0, 3).join(' '));
  }
  if (parsed.credentialIdentifier !== undefined) throw new OauthError('unknown_credential_identifier', 'This issuer hands out no credential_identifier: request a credential_configuration_id');
  const id = parsed.credentialConfigurationId;
  if (id === undefined || !(CREDENTIAL_CONFIGURATIONS as readonly string[]).includes(id)) {
    throw new OauthError('unknown_credential_configuration', `Unknown credential_configuration_id ${JSON.stringify(id ?? null)}; this issuer offers ${CREDENTIAL_CONFIGURATIONS.join(', ')}`);
  }
  const proofs = (parsed.proofs as { jwt?: unknown[] } | undefined)?.jwt;
  if (!proofs || proofs.length === 0) throw new OauthError('invalid_proof', 'The credential request has no jwt key proof (proofs.jwt)');
  // No batch issuance is advertised (§12.2.4 batch_credential_issuance): one key, one credential.
  if (proofs.length > 1) throw new OauthError('invalid_proof', 'One key proof per request: this issuer does not issue batches');
  return { parsed, configuration: id as CredentialConfigurationId, proof: proofs[0] };
}

const withoutProof = ({ proof: _proof, ...rest }: JsonObject): JsonObject => rest;

/**
 * §8: the credential request. The access token names the grant, the key proof names the
 * holder; the first request spends the claim link and binds the badge to the holder's DID.
 * A later request with the same token by the same holder (another configuration) gets the
 * same bound badge in its form; anyone else is refused.
 */
export async function issueCredential(deps: Oid4vciDeps, accessToken: string | undefined, body: unknown): Promise<Record<string, unknown>> {
  const now = nowOf(deps);
  const grant = accessToken ? await deps.store.oid4vciGrants.findByAccessToken(accessToken) : undefined;
  if (!grant || !grant.accessExpiresAt || grant.accessExpiresAt <= now.toISOString()) throw new OauthError('invalid_token', 'The access token is missing, unknown or expired');
  if (!(await deps.store.claimLinks.findByHash(grant.linkTokenHash)) && (await deps.store.claimLinks.findBundleByHash(grant.linkTokenHash))) {
    return issueBundleCredential(deps, grant, body, now);
  }
  const { parsed, configuration, proof } = parseRequest(deps, body);
  const holder = await verifyKeyProof(proof, { audience: oid4vciEndpoints(deps.baseUrl).issuer, nonceSecret: deps.claimSecret, documentLoader: deps.issuer.documentLoader, now });

  let credential: JsonObject;
  const link = await deps.store.claimLinks.findByHash(grant.linkTokenHash);
  try {
    if (link?.spentAt && link.spentBy === holder && grant.redeemedAt !== null && grant.redeemedAt <= link.spentAt) {
      // This grant's holder collected already: the same badge, in the other form.
      const award = await deps.store.awards.find(link.awardId);
      if (!award) throw new Error(`Claim link refers to a missing award ${link.awardId}`);
      const status = await awardLiveStatus(deps.store, award, now);
      if (withholdsClaim(status)) throw new AwardNotClaimableError(award.id, status.state);
      if (subjectDid(award.credential) !== holder) throw new RecipientMismatchError(subjectDid(award.credential) ?? 'an email address', holder);
      credential = award.credential;
    } else {
      credential = await deliverToHolder(deps, await openDeliverableClaimByHash(deps, grant.linkTokenHash), holder, 'oid4vci');
    }
  } catch (error) {
    if (error instanceof ClaimGoneError || error instanceof ClaimNotFoundError || error instanceof AwardNotClaimableError || error instanceof RecipientMismatchError) {
      throw new OauthError('credential_request_denied', error.message);
    }
    throw error;
  }
  const delivered = configuration === JWT_VC_CONFIGURATION ? await signJwtCredential(withoutProof(credential), issuerJwtSigner(deps.issuer)) : credential;
  return vciIssuer.createCredentialResponse({ credentialRequest: parsed, credentials: [{ credential: delivered }] }) as Record<string, unknown>;
}

function parseBundleRequest(deps: Oid4vciDeps, body: unknown): { parsed: ParseCredentialRequestReturn; identifier: string; proof: unknown } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new OauthError('invalid_credential_request', 'The credential request must be a JSON object');
  const asked = body as Record<string, unknown>;
  // §8.2: after a token response with credential_identifiers, the request names one of them,
  // and credential_configuration_id must not be present.
  if (asked.credential_configuration_id !== undefined) {
    throw new OauthError('invalid_credential_request', 'This offer holds several credentials: request each by a credential_identifier from the token response (authorization_details), not by credential_configuration_id');
  }
  if (typeof asked.credential_identifier !== 'string') throw new OauthError('invalid_credential_request', 'The credential request needs a credential_identifier from the token response (authorization_details)');
  let parsed: ParseCredentialRequestReturn;
  try {
    parsed = vciIssuer.parseCredentialRequest({ issuerMetadata: metadataOf(deps), credentialRequest: asked });
  } catch (error) {
    throw new OauthError('invalid_credential_request', (error as Error).message.split('\n').slice(0, 3).join(' '));
  }
  const proofs = (parsed.proofs as { jwt?: unknown[] } | undefined)?.jwt;
  if (!proofs || proofs.length === 0) throw new OauthError('invalid_proof', 'The credential request has no jwt key proof (proofs.jwt)');
  if (proofs.length > 1) throw new OauthError('invalid_proof', 'One key proof per request: this issuer does not issue batches');
  return { parsed, identifier: asked.credential_identifier, proof: proofs[0] };
}

/**
 * §8 for a bundle's grant: the credential_identifier names one credential of the bundle in one
 * configuration (derived from this grant's code, so another grant's identifiers are unknown
 * here). The first request spends the bundle for the holder its key proof names; the others of
 * the same grant need that same holder.
 */
async function issueBundleCredential(deps: Oid4vciDeps, grant: Oid4vciGrantRecord, body: unknown, now: Date): Promise<Record<string, unknown>> {
  const { parsed, identifier, proof } = parseBundleRequest(deps, body);
  const bundle = await deps.store.claimLinks.findBundleByHash(grant.linkTokenHash);
  if (!bundle) throw new OauthError('invalid_token', 'The access token is missing, unknown or expired');
  let named: { awardId: string; configuration: string } | undefined;
  for (const awardId of bundle.awardIds) {
    const award = await deps.store.awards.find(awardId);
    if (!award) continue;
    for (const configuration of configurationsOfItem(isRecord(award.credential))) {
      if (sameSecret(credentialIdentifier(deps.claimSecret, grant.codeHash, awardId, configuration), identifier)) named = { awardId, configuration };
    }
  }
  if (!named) throw new OauthError('unknown_credential_identifier', 'This credential_identifier is not one the token response of this access token named');
  const holder = await verifyKeyProof(proof, { audience: oid4vciEndpoints(deps.baseUrl).issuer, nonceSecret: deps.claimSecret, documentLoader: deps.issuer.documentLoader, now });
  let credential: JsonObject;
  try {
    credential = await deliverBundleItem(deps, grant.linkTokenHash, named.awardId, holder, grant.redeemedAt);
  } catch (error) {
    if (error instanceof ClaimGoneError || error instanceof ClaimNotFoundError || error instanceof AwardNotClaimableError || error instanceof RecipientMismatchError || error instanceof NothingToClaimError || error instanceof NotInBundleError) {
      throw new OauthError('credential_request_denied', error.message);
    }
    throw error;
  }
  const delivered = named.configuration === JWT_VC_CONFIGURATION ? await signJwtCredential(withoutProof(credential), issuerJwtSigner(deps.issuer)) : credential;
  return vciIssuer.createCredentialResponse({ credentialRequest: parsed, credentials: [{ credential: delivered }] }) as Record<string, unknown>;
}

const isRecord = (credential: JsonObject): boolean => {
  const type = credential.type;
  return Array.isArray(type) ? type.includes('ClrCredential') : type === 'ClrCredential';
};

// The VC-API exchange a wallet runs to collect a badge (the Learner Credential Wallet's flow):
//   1. POST {}                              → {verifiablePresentationRequest: DIDAuthentication}
//   2. POST {verifiablePresentation: DIDAuth} → {verifiablePresentation: {verifiableCredential: [badge]}}
// LCW's plain deep link skips step 1 and POSTs the signed presentation itself as the body; it
// then accepts the bare credential in reply, which is what deployed DCC issuers send.
import type { JsonObject } from '../signing/suites.js';
import { exchangeUrl } from './claimLink.js';
import { HOLDER_DID_METHODS } from './holderDocuments.js';

export type ExchangeMessage =
  | { kind: 'start' }
  | { kind: 'presentation'; presentation: unknown; wrapped: boolean }
  | { kind: 'invalid'; reason: string };

export function parseExchangeMessage(body: unknown): ExchangeMessage {
  if (body === undefined || body === null) return { kind: 'start' };
  if (typeof body !== 'object' || Array.isArray(body)) return { kind: 'invalid', reason: 'The exchange message must be a JSON object' };
  const message = body as JsonObject;
  if ('verifiablePresentation' in message) return { kind: 'presentation', presentation: message.verifiablePresentation, wrapped: true };
  const types = Array.isArray(message.type) ? message.type : [message.type];
  if (types.includes('VerifiablePresentation')) return { kind: 'presentation', presentation: message, wrapped: false };
  if (Object.keys(message).length === 0) return { kind: 'start' };
  return { kind: 'invalid', reason: 'Send {} to start the exchange, then {"verifiablePresentation": ...} signed for DID authentication' };
}

/** The request for DID authentication (VP Request Spec), naming what this service can verify. */
export function didAuthenticationRequest(baseUrl: string, token: string, challenge: string, domain: string): JsonObject {
  return {
    verifiablePresentationRequest: {
      query: [
        {
          type: 'DIDAuthentication',
          acceptedMethods: HOLDER_DID_METHODS.map((method) => ({ method })),
          acceptedCryptosuites: [{ cryptosuite: 'eddsa-rdfc-2022' }, { cryptosuite: 'Ed25519Signature2020' }],
        },
      ],
      challenge,
      domain,
      interact: { service: [{ type: 'UnmediatedPresentationService2021', serviceEndpoint: exchangeUrl(baseUrl, token) }] },
    },
  };
}

/** The exchange's final message: the badge in an (unsigned) presentation, as VC-API exchanges reply. */
export function deliveryPresentation(credential: JsonObject | readonly JsonObject[]): JsonObject {
  return {
    verifiablePresentation: {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiablePresentation'],
      // One claim for everything an educator holds (issue 16): every credential in one presentation.
      verifiableCredential: Array.isArray(credential) ? [...credential] : [credential],
    },
  };
}

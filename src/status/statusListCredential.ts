// The unsigned BitstringStatusListCredential of a list (W3C Bitstring Status List §2.2): VC 2.0
// context (it defines every term), `credentialSubject` of type BitstringStatusList with the
// purpose, the encoded bits and `ttl`, the advisory time in milliseconds before a verifier
// should fetch the list again.
import { VC_V2_CONTEXT } from '../credentials/openBadge.js';
import type { StatusPurpose } from '../store/statusLists.js';
import { encodeStatusList } from './bitstring.js';

/** Five minutes: a revocation reaches every verifier within this, and caches absorb the load. */
export const DEFAULT_STATUS_LIST_TTL_MS = 5 * 60 * 1000;

export interface StatusListCredentialInput {
  listUrl: string;
  issuer: string;
  purpose: StatusPurpose;
  bits: Uint8Array;
  validFrom: Date;
  ttlMs: number;
}

export function buildStatusListCredential(input: StatusListCredentialInput): Record<string, unknown> {
  return {
    '@context': [VC_V2_CONTEXT],
    id: input.listUrl,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: input.issuer,
    validFrom: input.validFrom.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    credentialSubject: {
      id: `${input.listUrl}#list`,
      type: 'BitstringStatusList',
      statusPurpose: input.purpose,
      encodedList: encodeStatusList(input.bits),
      ttl: input.ttlMs,
    },
  };
}

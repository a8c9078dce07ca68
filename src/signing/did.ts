// Issuer identifiers: did:key (self-contained, the zero-config default) and did:web (the
// issuer's own domain serves its DID document, which makes verification portable without a
// registry). This module builds DID documents and resolves did:key offline.
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { driver as didKeyDriver } from '@digitalbazaar/did-method-key';
import { MULTIKEY_CONTEXT } from './keys.js';

export const DID_CONTEXT = 'https://www.w3.org/ns/did/v1';

export interface IssuerIdentity {
  did: string;
  /** The verification method proofs name; listed in the DID document's `assertionMethod`. */
  verificationMethod: string;
  publicKeyMultibase: string;
}

export class DidError extends Error {}

const DID_WEB_DOMAIN = /^[a-z0-9.-]+(%3a\d+)?(:[A-Za-z0-9._~%-]+)*$/i;

/** `example.edu:programs:teach` → `did:web:example.edu:programs:teach`. */
export function didWebFromDomain(domain: string): string {
  if (!DID_WEB_DOMAIN.test(domain)) {
    throw new DidError(
      `'${domain}' is not a did:web method-specific id: a host name (port as %3A), then optional ':'-separated path segments`,
    );
  }
  return `did:web:${domain}`;
}

/**
 * The HTTP path under which a did:web document is served (did:web spec, "Read"):
 * no path → `/.well-known/did.json`, otherwise `/<segments>/did.json`.
 */
export function didWebDocumentPath(did: string): string {
  const segments = did.slice('did:web:'.length).split(':').slice(1).map(decodeURIComponent);
  return segments.length === 0 ? '/.well-known/did.json' : `/${segments.join('/')}/did.json`;
}

/** The URL a resolver fetches for a did:web DID. */
export function didWebDocumentUrl(did: string): string {
  const [host] = did.slice('did:web:'.length).split(':');
  return `https://${decodeURIComponent(host ?? '')}${didWebDocumentPath(did)}`;
}

export function issuerIdentity(publicKeyMultibase: string, didWebDomain?: string): IssuerIdentity {
  const did = didWebDomain ? didWebFromDomain(didWebDomain) : `did:key:${publicKeyMultibase}`;
  return { did, verificationMethod: `${did}#${publicKeyMultibase}`, publicKeyMultibase };
}

/** A key the issuer signed with before: kept in its DID document so what it signed still verifies. */
export interface EarlierKey {
  publicKeyMultibase: string;
  /** When set (an ISO date-time), the key is revoked (W3C Controlled Identifiers 1.0 §2.2, `revoked`). */
  revoked?: string | undefined;
}

/** The DID document of an issuer: one Multikey, usable for assertions and authentication. */
export function didDocument(identity: IssuerIdentity): Record<string, unknown> {
  return didDocumentWithKeys(identity, []);
}

/**
 * The DID document of an issuer that rotated its key: the current key for every relationship;
 * each earlier key listed as a verification method and in `assertionMethod`, so the badges,
 * status lists and endorsements it signed keep verifying; a revoked key listed with `revoked`
 * and in no relationship, so no verifier accepts it for anything.
 */
export function didDocumentWithKeys(identity: IssuerIdentity, earlier: readonly EarlierKey[]): Record<string, unknown> {
  const { did, verificationMethod, publicKeyMultibase } = identity;
  const others = earlier.filter((k) => k.publicKeyMultibase !== publicKeyMultibase);
  const methodId = (k: EarlierKey): string => `${did}#${k.publicKeyMultibase}`;
  return {
    '@context': [DID_CONTEXT, MULTIKEY_CONTEXT],
    id: did,
    verificationMethod: [
      { id: verificationMethod, type: 'Multikey', controller: did, publicKeyMultibase },
      ...others.map((k) => ({ id: methodId(k), type: 'Multikey', controller: did, publicKeyMultibase: k.publicKeyMultibase, ...(k.revoked ? { revoked: k.revoked } : {}) })),
    ],
    authentication: [verificationMethod],
    assertionMethod: [verificationMethod, ...others.filter((k) => !k.revoked).map(methodId)],
    capabilityInvocation: [verificationMethod],
    capabilityDelegation: [verificationMethod],
  };
}

/** Finds a DID URL's target in a DID document: the document itself, or one of its keys. */
export function dereferenceDidUrl(document: Record<string, unknown>, didUrl: string): Record<string, unknown> | undefined {
  if (!didUrl.includes('#')) return document;
  const methods = Array.isArray(document.verificationMethod) ? (document.verificationMethod as unknown[]) : [];
  const fragment = didUrl.slice(didUrl.indexOf('#'));
  const method = methods.find((m): m is Record<string, unknown> => {
    if (typeof m !== 'object' || m === null) return false;
    const id = (m as { id?: unknown }).id;
    return id === didUrl || id === fragment;
  });
  if (!method) return undefined;
  // A verification method carries the contexts that define its terms.
  return { '@context': document['@context'], ...method, id: didUrl };
}

const keyDriver = didKeyDriver();
keyDriver.use({ multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from });

/** Resolves an Ed25519 did:key DID or DID URL, offline. */
export async function resolveDidKey(didUrl: string): Promise<Record<string, unknown>> {
  if (!didUrl.startsWith('did:key:z6Mk')) {
    throw new DidError(`Unsupported did:key '${didUrl}': only Ed25519 keys (did:key:z6Mk…) are supported`);
  }
  try {
    return didUrl.includes('#') ? await keyDriver.get({ url: didUrl }) : await keyDriver.get({ did: didUrl });
  } catch (cause) {
    throw new DidError(`Cannot resolve '${didUrl}': ${(cause as Error).message}`, { cause });
  }
}

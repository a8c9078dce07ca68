// Verifies a wallet's DID-authentication presentation (VC-API exchanges, VP Request Spec
// "DIDAuthentication"): a presentation signed by the holder's key with proof purpose
// `authentication`, over our challenge (and our domain when the wallet was given one).
import * as vc from '@digitalbazaar/vc';
import type { DocumentLoader } from '../signing/documentLoader.js';
import { createVerifyingSuites } from '../signing/suites.js';
import { DidAuthenticationError } from './errors.js';

export interface DidAuthOptions {
  challenge: string;
  /** Our domain as the VPR states it; a presentation from a plain deep link carries none. */
  domain: string;
  documentLoader: DocumentLoader;
}

function firstProof(presentation: Record<string, unknown>): Record<string, unknown> | undefined {
  const proof = Array.isArray(presentation.proof) ? (presentation.proof[0] as unknown) : presentation.proof;
  return typeof proof === 'object' && proof !== null ? (proof as Record<string, unknown>) : undefined;
}

function holderOf(presentation: Record<string, unknown>): string | undefined {
  const { holder } = presentation;
  if (typeof holder === 'string') return holder;
  if (typeof holder === 'object' && holder !== null && typeof (holder as { id?: unknown }).id === 'string') return (holder as { id: string }).id;
  return undefined;
}

function describe(error: unknown): string {
  const e = error as { message?: string; errors?: unknown[] } | undefined;
  const inner = Array.isArray(e?.errors) && e.errors.length > 0 ? (e.errors[0] as { message?: string }).message : undefined;
  return inner ?? e?.message ?? 'the presentation did not verify';
}

/** Returns the authenticated holder DID, or throws DidAuthenticationError saying why not. */
export async function verifyDidAuthentication(presentation: unknown, options: DidAuthOptions): Promise<string> {
  if (typeof presentation !== 'object' || presentation === null || Array.isArray(presentation)) {
    throw new DidAuthenticationError('The verifiable presentation must be a JSON object');
  }
  const vp = presentation as Record<string, unknown>;
  const types = Array.isArray(vp.type) ? vp.type : [vp.type];
  if (!types.includes('VerifiablePresentation')) throw new DidAuthenticationError("The presentation's type must include 'VerifiablePresentation'");
  const proof = firstProof(vp);
  if (!proof) throw new DidAuthenticationError('The presentation carries no proof: sign it with the DID you want the badge bound to');
  if (proof.challenge !== options.challenge) throw new DidAuthenticationError("The presentation's proof does not carry this exchange's challenge");
  if (proof.domain !== undefined && proof.domain !== options.domain) {
    throw new DidAuthenticationError(`The presentation's proof is for domain '${String(proof.domain)}', not '${options.domain}'`);
  }
  const method = typeof proof.verificationMethod === 'string' ? proof.verificationMethod : undefined;
  const signer = method?.split('#')[0];
  if (!signer?.startsWith('did:key:')) {
    throw new DidAuthenticationError('Only did:key holders are accepted (acceptedMethods: key): the proof must name a did:key verification method');
  }
  const holder = holderOf(vp) ?? signer;
  // Binding the badge to `holder` is only sound if `holder` is who signed.
  if (holder !== signer) throw new DidAuthenticationError(`The presentation's holder ${holder} is not the DID that signed it (${signer})`);

  let result: Awaited<ReturnType<typeof vc.verify>>;
  try {
    result = await vc.verify({
      presentation: structuredClone(vp),
      challenge: options.challenge,
      // Require the domain only when the proof states one (LCW's deep-link flow signs without).
      ...(proof.domain !== undefined ? { domain: options.domain } : {}),
      suite: createVerifyingSuites(),
      documentLoader: options.documentLoader,
    });
  } catch (error) {
    throw new DidAuthenticationError(`The presentation could not be verified: ${describe(error)}`, { cause: error });
  }
  if (!result.verified) {
    throw new DidAuthenticationError(`The presentation did not verify: ${describe(result.error ?? result.presentationResult?.error)}`);
  }
  return holder;
}

// Proof chains (W3C VC Data Integrity §2.1.2, `previousProof`): a proof that names earlier
// proofs signs the document *with* those proofs in it, so it must be checked against that
// document, and every proof it names must exist and verify first. The signing libraries check
// proof sets, not chains; this adds the chain on top of their suites.
import jsigs from 'jsonld-signatures';
import type { DocumentLoader } from '../signing/documentLoader.js';
import { asArray, isObject, type Json } from '../credentials/jsonValues.js';


interface ProofSuite {
  matchProof(options: { proof: Json; document: Json; documentLoader: DocumentLoader }): Promise<boolean>;
  verifyProof(options: { proof: Json; document: Json; purpose: unknown; proofSet: Json[]; documentLoader: DocumentLoader }): Promise<{ verified: boolean; verificationMethod?: Json; error?: unknown }>;
}

interface Purpose {
  validate(proof: Json, options: { document: Json; suite: unknown; verificationMethod: Json | undefined; documentLoader: DocumentLoader }): Promise<{ valid: boolean; error?: unknown }>;
}

export interface ChainResult {
  verified: boolean;
  /** The last proof of the chain that verified, with every proof it names. */
  proof?: Json | undefined;
  /** The controller of that proof's key. */
  signer?: string | undefined;
  reason: string;
}

const MAX_CHAIN_DEPTH = 8;

/** True when some proof of the set names previous proofs. */
export function hasProofChain(credential: Json): boolean {
  return asArray(credential.proof).some((p) => isObject(p) && p.previousProof !== undefined);
}

export async function verifyProofChain(credential: Json, suites: unknown[], documentLoader: DocumentLoader): Promise<ChainResult> {
  const { proof: _proofs, ...unsecured } = credential;
  const proofs = asArray(credential.proof).filter(isObject);
  const context = credential['@context'];

  const suiteFor = async (proof: Json): Promise<ProofSuite | undefined> => {
    for (const suite of suites as ProofSuite[]) {
      if (await suite.matchProof({ proof: { '@context': context, ...proof }, document: unsecured, documentLoader }).catch(() => false)) return suite;
    }
    return undefined;
  };

  const signers = new Map<Json, string>();
  /** Verifies one proof against the document holding the proofs it chains to. */
  const verifyOne = async (proof: Json, purpose: Purpose, depth: number): Promise<string | undefined> => {
    if (depth > MAX_CHAIN_DEPTH) return 'the proof chain is too long';
    const previousIds = asArray(proof.previousProof);
    if (!previousIds.every((id) => typeof id === 'string')) return 'previousProof must be a string or a list of strings';
    const previous: Json[] = [];
    for (const id of previousIds as string[]) {
      const found = proofs.find((p) => p.id === id);
      if (!found) return `the previous proof ${id} is not in the proof set`;
      // Each proof named must itself verify, for any purpose its signer states.
      const failure = await verifyOne(found, new jsigs.purposes.ControllerProofPurpose({ term: String(found.proofPurpose ?? 'assertionMethod') }) as Purpose, depth + 1);
      if (failure) return `the previous proof ${id} does not verify: ${failure}`;
      previous.push(found);
    }
    const suite = await suiteFor(proof);
    if (!suite) return `no accepted suite for a ${String(proof.type)} proof`;
    const document = previous.length === 0 ? unsecured : { ...unsecured, proof: previous.length === 1 ? previous[0] : previous };
    const proofWithContext = { '@context': context, ...proof };
    let verified;
    try {
      verified = await suite.verifyProof({ proof: proofWithContext, document, purpose: { validate: async () => ({ valid: true }) }, proofSet: proofs, documentLoader });
    } catch (error) {
      return (error as Error).message;
    }
    if (!verified.verified) return (verified.error as Error | undefined)?.message ?? 'invalid signature';
    const controller = verified.verificationMethod?.controller;
    signers.set(proof, typeof controller === 'string' ? controller : String(proof.verificationMethod).split('#')[0] ?? '');
    const valid = await purpose.validate(proofWithContext, { document: credential, suite, verificationMethod: verified.verificationMethod, documentLoader }).catch((error: unknown) => ({ valid: false, error }));
    return valid.valid ? undefined : ((valid.error as Error | undefined)?.message ?? 'the proof purpose does not hold');
  };

  const reasons: string[] = [];
  for (const proof of proofs.filter((p) => p.previousProof !== undefined)) {
    const failure = await verifyOne(proof, new jsigs.purposes.ControllerProofPurpose({ term: 'assertionMethod' }) as Purpose, 0);
    if (!failure) return { verified: true, proof, signer: signers.get(proof), reason: 'the chained proof and every proof it names verify' };
    reasons.push(`${String(proof.verificationMethod)}: ${failure}`);
  }
  return { verified: false, reason: reasons.join('; ') || 'no chained proof' };
}

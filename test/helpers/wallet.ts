// A scripted wallet for exchange tests: a did:key of its own and the two ways real wallets
// answer a DID-authentication request (Data Integrity eddsa-rdfc-2022 over a VC 2.0
// presentation, or Ed25519Signature2020 over a VC 1.1 one as the Learner Credential Wallet does).
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { resolveDidKey } from '../../src/signing/did.js';
import { createDocumentLoader } from '../../src/signing/documentLoader.js';

export const walletLoader = createDocumentLoader({ resolveDid: resolveDidKey });

export interface TestWallet {
  did: string;
  /** A signed DID-authentication presentation for this challenge (and domain, if given). */
  authenticate(options: { challenge: string; domain?: string | undefined; suite?: 'eddsa-rdfc-2022' | 'Ed25519Signature2020' }): Promise<Record<string, unknown>>;
  /** A signed presentation of these credentials (VC 2.0, eddsa-rdfc-2022), as a wallet shares badges. */
  present(options: { credentials: unknown[]; challenge: string; domain?: string | undefined; holder?: string | undefined }): Promise<Record<string, unknown>>;
}

export async function createTestWallet(): Promise<TestWallet> {
  const generated = await Ed25519Multikey.generate();
  const did = `did:key:${generated.publicKeyMultibase}`;
  const key = await Ed25519Multikey.from({
    type: 'Multikey',
    id: `${did}#${generated.publicKeyMultibase}`,
    controller: did,
    publicKeyMultibase: generated.publicKeyMultibase,
    secretKeyMultibase: generated.secretKeyMultibase,
  });
  return {
    did,
    async authenticate({ challenge, domain, suite = 'eddsa-rdfc-2022' }) {
      const signer = key.signer();
      const proofSuite =
        suite === 'eddsa-rdfc-2022' ? new DataIntegrityProof({ signer, cryptosuite: eddsaRdfc2022 }) : new Ed25519Signature2020({ signer });
      const presentation = vc.createPresentation({ holder: did, version: suite === 'eddsa-rdfc-2022' ? 2.0 : 1.0 });
      return vc.signPresentation({ presentation, suite: proofSuite, challenge, ...(domain ? { domain } : {}), documentLoader: walletLoader });
    },
    async present({ credentials, challenge, domain, holder = did }) {
      const presentation = vc.createPresentation({ holder, version: 2.0 });
      presentation.verifiableCredential = credentials;
      const suite = new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022 });
      return vc.signPresentation({ presentation, suite, challenge, ...(domain ? { domain } : {}), documentLoader: walletLoader });
    },
  };
}

// The verification floor, as its own process: the plain @digitalbazaar/vc verifyCredential loop
// a library user would write (eddsa-rdfc-2022, a loader over the same pinned contexts tagged
// static, did:key resolved by @digitalbazaar/did-method-key), with none of educred's changes to
// jsonld loaded. Only the proof is checked: no schema, dates, status or trust. Reads
// {credentials, n, warmUp} from the JSON file named on the command line; prints {n, ms}.
import { readFileSync } from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import * as DidKey from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { plainContext, type PlainRemoteDocument } from './plainContexts.js';

interface VerifyInput {
  credentials: Array<Record<string, unknown>>;
  n: number;
  warmUp: number;
}

const didKey = DidKey.driver();
didKey.use({ multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from });
const documentLoader = async (url: string): Promise<PlainRemoteDocument> => {
  const context = plainContext(url);
  if (context) return context;
  if (url.startsWith('did:key:')) return { contextUrl: null, documentUrl: url, document: await didKey.get({ url }) };
  throw new Error(`Not a pinned context or did:key: ${url}`);
};

const file = process.argv[2];
if (!file) throw new Error('usage: plainVerify.ts INPUT.json');
const input = JSON.parse(readFileSync(file, 'utf8')) as VerifyInput;
const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
const verify = async (credential: Record<string, unknown>): Promise<void> => {
  const result = await vc.verifyCredential({ credential, suite, documentLoader, checkStatus: async () => ({ verified: true }) });
  if (!result.verified) throw new Error(`the plain verifier refused a badge: ${JSON.stringify(result.error ?? result).slice(0, 300)}`);
};
for (let i = 0; i < input.warmUp; i++) await verify(input.credentials[i % input.credentials.length] ?? {});
const started = performance.now();
for (let i = 0; i < input.n; i++) await verify(input.credentials[i % input.credentials.length] ?? {});
process.stdout.write(JSON.stringify({ n: input.n, ms: performance.now() - started }) + '\n');

// The baseline of the issuance benchmark, run as its own process: the plain @digitalbazaar/vc
// issue loop as a library user would write it (the library's Multikey signer, a document
// loader over the same pinned contexts, one credential after another), with none of educred's
// changes to jsonld's context handling loaded (contexts tagged static, as deployed code does). Reads {keyFile, verificationMethod, credentials,
// n} from the JSON file named on the command line; prints {n, ms}.
import { readFileSync } from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { plainContext, type PlainRemoteDocument } from './plainContexts.js';

interface BaselineInput {
  keyFile: string;
  verificationMethod: string;
  credentials: Array<Record<string, unknown>>;
  n: number;
  warmUp: number;
}

// Tagged 'static', as deployed verifiers and issuers tag the contexts they pin (jsonld then keeps
// the processed contexts): the fair baseline, not the slowest one.
const documentLoader = async (url: string): Promise<PlainRemoteDocument> => {
  const found = plainContext(url);
  if (!found) throw new Error(`Not a pinned context: ${url}`);
  return found;
};

const file = process.argv[2];
if (!file) throw new Error('usage: plainBaseline.ts INPUT.json');
const input = JSON.parse(readFileSync(file, 'utf8')) as BaselineInput;
const key = JSON.parse(readFileSync(input.keyFile, 'utf8')) as Record<string, unknown>;
const keyPair = await Ed25519Multikey.from({ ...key, '@context': 'https://w3id.org/security/multikey/v1' });
const signer = keyPair.signer();
signer.id = input.verificationMethod;
const issue = (credential: Record<string, unknown>): Promise<unknown> =>
  vc.issue({ credential: structuredClone(credential), suite: new DataIntegrityProof({ signer, cryptosuite: eddsaRdfc2022 }), documentLoader });

for (let i = 0; i < input.warmUp; i++) await issue(input.credentials[i % input.credentials.length] ?? {});
const started = performance.now();
for (let i = 0; i < input.n; i++) await issue(input.credentials[i % input.credentials.length] ?? {});
process.stdout.write(JSON.stringify({ n: input.n, ms: performance.now() - started }) + '\n');

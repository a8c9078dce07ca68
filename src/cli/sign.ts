// `educred sign`: signs any credential document read from stdin with a Multikey file, offline,
// and prints it. Ed25519 signatures are deterministic, so the same key, document and
// `--created` always give byte-identical output (what conformance harnesses rely on).
import type { Command } from 'commander';
import { Option } from 'commander';
import { PROOF_SUITES, type ProofSuiteName } from '../config.js';
import { resolveDidKey } from '../signing/did.js';
import { createDocumentLoader, loadExtraContexts } from '../signing/documentLoader.js';
import { importIssuerKey, isKeyFileExposed, KeyFileError, readKeyFile } from '../signing/keys.js';
import { signCredential, type JsonObject } from '../signing/suites.js';
import { CliError, parseJson, printJson, readStdin } from './io.js';
import { describeSigningError } from './signingErrors.js';

export interface SignOptions {
  key: string;
  suite: ProofSuiteName;
  /** ISO 8601 date-time for the proof's `created`; now when absent. */
  created?: string | undefined;
  /** A folder of extra contexts, as EDUCRED_EXTRA_CONTEXTS_DIR. */
  contexts?: string | undefined;
}

// RFC 3339 / ISO 8601 date-time with a zone; Date.parse alone accepts far looser strings.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function parseCreated(created: string | undefined): Date | undefined {
  if (created === undefined) return undefined;
  const date = new Date(created);
  if (!ISO_DATE_TIME.test(created) || Number.isNaN(date.getTime())) {
    throw new CliError(`--created must be an ISO 8601 date-time such as 2010-01-01T19:23:24Z, got '${created}'`);
  }
  return date;
}

function asCredential(document: unknown): JsonObject {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new CliError('The input must be a JSON object (a credential)');
  }
  const credential = document as JsonObject;
  if (credential['@context'] === undefined) throw new CliError("The credential has no '@context'");
  return credential;
}

/** Signs the credential in `text` (JSON) and returns the signed credential. */
export async function signDocument(text: string, options: SignOptions): Promise<JsonObject> {
  const credential = asCredential(parseJson(text, 'The input'));
  const created = parseCreated(options.created);
  let key;
  try {
    key = readKeyFile(options.key);
  } catch (error) {
    if (error instanceof KeyFileError) throw new CliError(error.message, 1, { cause: error });
    throw error;
  }
  if (isKeyFileExposed(options.key)) process.stderr.write(`warning: ${options.key} is readable by other users; chmod 600 it\n`);
  const signer = (await importIssuerKey(key)).signerFor(key.id);
  const documentLoader = createDocumentLoader({ resolveDid: resolveDidKey, extraContexts: loadExtraContexts(options.contexts) });
  try {
    return await signCredential(credential, { suite: options.suite, signer, documentLoader, created });
  } catch (error) {
    throw new CliError(`Cannot sign: ${describeSigningError(error)}`, 1, { cause: error });
  }
}

export function register(program: Command): void {
  program
    .command('sign')
    .description('sign the credential on stdin with a Multikey file and print it (offline, deterministic for a fixed --created)')
    .requiredOption('--key <file>', 'Multikey JSON file (see keys.example/); its id becomes the verificationMethod')
    .addOption(new Option('--suite <name>', 'proof suite').choices(PROOF_SUITES).default('eddsa-rdfc-2022'))
    .option('--created <iso-time>', "the proof's created date-time (default: now)")
    .option('--contexts <dir>', 'folder of extra contexts ({"url", "document"} files) the loader may serve')
    .action(async (options: SignOptions) => {
      printJson(await signDocument(await readStdin(), options));
    });
}

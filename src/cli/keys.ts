// `educred keys generate`: writes a new Ed25519 Multikey file (mode 0600, never overwriting
// one), or with --pkcs11 generates the key pair inside the configured token, and prints only
// its public half, so the secret never reaches a terminal or a log. `keys list|rotate|retire|
// reissue` manage the issuer's keys in the store (src/signing/rotation.ts, src/awards/reissue.ts).
import path from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../config.js';
import { didKeyFromPublicKey, generateMultikey, writeKeyFile } from '../signing/keys.js';
import { generateTokenKey, pkcs11Uri } from '../signing/pkcs11.js';
import { reissueCredentials, type ReissueReport } from '../awards/reissue.js';
import { closeRuntime, createRuntime, type Runtime } from '../runtime.js';
import { IssuerKeyChangeError, listIssuerKeys, retireIssuerKey, rotateIssuerKey, type KeyChangeReport, type RotateOptions } from '../signing/rotation.js';
import type { IssuerKeyRecord } from '../store/issuerKeys.js';
import { CliError, loadCliConfig, printJson, stderrLogger } from './io.js';

export const DEFAULT_KEY_FILE = path.join('keys', 'issuer.json');

export interface GenerateKeyOptions {
  out?: string | undefined;
  controller?: string | undefined;
  /** Generate in the PKCS#11 token of EDUCRED_PKCS11_* instead of a file. */
  pkcs11?: boolean | undefined;
  /** With --pkcs11: the key's label (default EDUCRED_PKCS11_KEY_LABEL). */
  label?: string | undefined;
}

export interface GeneratedKey {
  file: string;
  id: string;
  controller: string;
  publicKeyMultibase: string;
}

export interface GeneratedTokenKey {
  key: string;
  token: string;
  label: string;
  /** CKA_ID, hex. */
  id: string;
  /** The verification method id proofs will name: `<controller>#<publicKeyMultibase>`. */
  verificationMethod: string;
  controller: string;
  publicKeyMultibase: string;
}

function checkController(controller: string | undefined): void {
  if (controller !== undefined && !/^did:[a-z0-9]+:\S+$/.test(controller)) {
    throw new CliError(`--controller must be a DID (did:method:identifier), got '${controller}'`);
  }
}

/** `keys generate --pkcs11`: the key pair is made inside the token; nothing secret is written anywhere. */
export async function generatePkcs11Key(options: GenerateKeyOptions, env: NodeJS.ProcessEnv = process.env): Promise<GeneratedTokenKey> {
  checkController(options.controller);
  const { pkcs11 } = loadCliConfig(env);
  if (!pkcs11) throw new CliError('--pkcs11 needs EDUCRED_PKCS11_MODULE, EDUCRED_PKCS11_TOKEN and EDUCRED_PKCS11_PIN_FILE (and optionally EDUCRED_PKCS11_KEY_LABEL)');
  let info;
  try {
    info = await generateTokenKey({ ...pkcs11, keyLabel: options.label ?? pkcs11.keyLabel });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 1, { cause: error });
    throw error;
  }
  const controller = options.controller ?? didKeyFromPublicKey(info.publicKeyMultibase);
  return {
    key: pkcs11Uri(info.token, info.label),
    token: info.token,
    label: info.label,
    id: info.id,
    verificationMethod: `${controller}#${info.publicKeyMultibase}`,
    controller,
    publicKeyMultibase: info.publicKeyMultibase,
  };
}

export async function generateKey(options: GenerateKeyOptions = {}): Promise<GeneratedKey> {
  const file = path.resolve(options.out ?? DEFAULT_KEY_FILE);
  checkController(options.controller);
  const key = await generateMultikey(options.controller);
  try {
    writeKeyFile(file, key);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new CliError(`${file} already exists; refusing to overwrite a key (choose another --out)`, 1, { cause: error });
    throw new CliError(`Cannot write ${file}: ${(error as Error).message}`, 1, { cause: error });
  }
  return { file, id: key.id, controller: key.controller, publicKeyMultibase: key.publicKeyMultibase };
}

/** Runs a key command on a runtime of its own; refusals (did:key, an unknown or current key) end with their message. */
async function withKeysRuntime<T>(env: NodeJS.ProcessEnv, run: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = await createRuntime(loadCliConfig(env), stderrLogger());
  try {
    return await run(runtime);
  } catch (error) {
    if (error instanceof IssuerKeyChangeError || error instanceof ConfigError) throw new CliError(error.message, 1, { cause: error });
    throw error;
  } finally {
    await closeRuntime(runtime);
  }
}

export const listKeysFromCli = (env: NodeJS.ProcessEnv = process.env): Promise<IssuerKeyRecord[]> => withKeysRuntime(env, listIssuerKeys);

export const rotateKeyFromCli = (options: RotateOptions, env: NodeJS.ProcessEnv = process.env): Promise<KeyChangeReport> => {
  if (options.label !== undefined && !options.pkcs11) return Promise.reject(new CliError('--label goes with --pkcs11'));
  return withKeysRuntime(env, (runtime) => rotateIssuerKey(runtime, options));
};

export const retireKeyFromCli = (keyId: string, compromisedAt: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<KeyChangeReport> => {
  // An ISO 8601 date-time with its offset: a compromise time must not depend on the machine's zone.
  if (!compromisedAt || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(compromisedAt) || Number.isNaN(Date.parse(compromisedAt))) {
    return Promise.reject(new CliError(`--compromised-at must be an ISO 8601 date-time with an offset, e.g. 2027-03-01T00:00:00Z (got ${JSON.stringify(compromisedAt ?? null)})`));
  }
  return withKeysRuntime(env, (runtime) => retireIssuerKey(runtime, keyId, new Date(compromisedAt)));
};

export const reissueFromCli = (keyId: string, env: NodeJS.ProcessEnv = process.env): Promise<ReissueReport> =>
  withKeysRuntime(env, async (runtime) => {
    const report = await reissueCredentials(runtime, keyId);
    if (report.claimEmails > 0) await runtime.mail?.deliverDue();
    return report;
  });

export function register(program: Command): void {
  const keys = program.command('keys').description('manage issuer keys');
  keys
    .command('generate')
    .description(`write a new Ed25519 Multikey file (default ${DEFAULT_KEY_FILE}, mode 0600) and print its public key`)
    .option('--out <file>', 'where to write the key file', DEFAULT_KEY_FILE)
    .option('--controller <did>', 'the DID that controls the key (e.g. did:web:example.edu); default: its own did:key')
    .option('--pkcs11', 'generate the key pair inside the PKCS#11 token of EDUCRED_PKCS11_MODULE / _TOKEN / _PIN_FILE (never extractable)')
    .option('--label <label>', 'with --pkcs11: the key label (default EDUCRED_PKCS11_KEY_LABEL, or educred-issuer)')
    .action(async (options: GenerateKeyOptions) => {
      if (options.label !== undefined && !options.pkcs11) throw new CliError('--label goes with --pkcs11');
      printJson(options.pkcs11 ? await generatePkcs11Key(options) : await generateKey(options));
    });
  keys
    .command('list')
    .description("list the issuer's keys in the store: id, state (current, previous, revoked), where each lives, its times")
    .action(async () => printJson(await listKeysFromCli()));
  keys
    .command('rotate')
    .description('make a new key the signing key (did:web only); earlier keys stay in the DID document, so what they signed keeps verifying')
    .option('--pkcs11', 'generate the new key in the PKCS#11 token of EDUCRED_PKCS11_* instead of a key file under <data dir>/keys')
    .option('--label <label>', 'with --pkcs11: the new key label (default <EDUCRED_PKCS11_KEY_LABEL>-<time>)')
    .action(async (options: RotateOptions) => printJson(await rotateKeyFromCli(options)));
  keys
    .command('retire <keyId>')
    .description('mark a previous key revoked in the DID document (from --compromised-at); every proof by it is refused')
    .requiredOption('--compromised-at <isoTime>', 'from when the key is held compromised (ISO 8601, e.g. 2027-03-01T00:00:00Z)')
    .action(async (keyId: string, options: { compromisedAt?: string }) => printJson(await retireKeyFromCli(keyId, options.compromisedAt)));
  keys
    .command('reissue')
    .description('sign every stored credential signed by --key again with the current key (same ids, status entries kept); with mail, a new claim link to each educator')
    .requiredOption('--key <keyId>', 'the key whose credentials to re-sign (its id, #fragment or publicKeyMultibase)')
    .action(async (options: { key: string }) => printJson(await reissueFromCli(options.key)));
}

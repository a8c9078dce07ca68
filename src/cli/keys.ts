// `educred keys generate`: writes a new Ed25519 Multikey file (mode 0600, never overwriting
// one), or with --pkcs11 generates the key pair inside the configured token, and prints only
// its public half, so the secret never reaches a terminal or a log.
import path from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../config.js';
import { didKeyFromPublicKey, generateMultikey, writeKeyFile } from '../signing/keys.js';
import { generateTokenKey, pkcs11Uri } from '../signing/pkcs11.js';
import { CliError, loadCliConfig, printJson } from './io.js';

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
}

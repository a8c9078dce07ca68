// `educred keys generate`: writes a new Ed25519 Multikey file (mode 0600, never overwriting
// one) and prints only its public half, so the secret never reaches a terminal or a log.
import path from 'node:path';
import type { Command } from 'commander';
import { generateMultikey, writeKeyFile } from '../signing/keys.js';
import { CliError, printJson } from './io.js';

export const DEFAULT_KEY_FILE = path.join('keys', 'issuer.json');

export interface GenerateKeyOptions {
  out?: string | undefined;
  controller?: string | undefined;
}

export interface GeneratedKey {
  file: string;
  id: string;
  controller: string;
  publicKeyMultibase: string;
}

export async function generateKey(options: GenerateKeyOptions = {}): Promise<GeneratedKey> {
  const file = path.resolve(options.out ?? DEFAULT_KEY_FILE);
  if (options.controller !== undefined && !/^did:[a-z0-9]+:\S+$/.test(options.controller)) {
    throw new CliError(`--controller must be a DID (did:method:identifier), got '${options.controller}'`);
  }
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
    .action(async (options: GenerateKeyOptions) => {
      printJson(await generateKey(options));
    });
}

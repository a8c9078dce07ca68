// What every CLI command shares: results go to stdout as JSON, diagnostics to stderr, and a
// failure the user can fix is a CliError (message, non-zero exit) rather than a stack trace.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { JsonTextError, parseJson as parseGuardedJson } from '../http/body.js';
import { createLogger } from '../logger.js';

/** A failure caused by the input or the environment: printed as one message, exit code 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/**
 * The results of a command with `--json [file]`: without the flag, the human lines on stdout;
 * `--json` alone, the JSON on stdout; `--json FILE`, the JSON into FILE (owner-only: results
 * may hold claim links, which are bearer secrets) and the human lines on stdout.
 */
export function writeResults(value: unknown, json: string | boolean | undefined, human: () => string[]): void {
  if (json === true) return printJson(value);
  if (typeof json === 'string') {
    try {
      writeFileSync(json, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
      chmodSync(json, 0o600);
    } catch (error) {
      throw new CliError(`Cannot write ${json}: ${(error as Error).message}`, 1, { cause: error });
    }
  }
  process.stdout.write(human().join('\n') + '\n');
  if (typeof json === 'string') process.stdout.write(`Results written to ${json}\n`);
}

/** Logs JSON lines to stderr, so stdout stays a clean result that can be piped. */
export function stderrLogger(level = process.env.LOG_LEVEL ?? 'warn'): Logger {
  return createLogger(level, pino.destination(2));
}

export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('Expected a JSON document on standard input (e.g. `educred sign --key k.json < credential.json`)');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses JSON text, naming where it came from when it is not JSON. */
export function parseJson(text: string, source: string): unknown {
  if (text.trim() === '') throw new CliError(`${source} is empty: expected a JSON document`);
  try {
    return parseGuardedJson(text, { what: source });
  } catch (error) {
    // parseGuardedJson names the source: "<source> is not valid JSON: …" or "… nests deeper than …".
    if (error instanceof JsonTextError) throw new CliError(error.message, 1, { cause: error });
    throw error;
  }
}

export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${(error as Error).message}`, 1, { cause: error });
  }
  return parseJson(text, file);
}

/** The configuration from the environment; an invalid one ends the command with its message. */
export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 1, { cause: error });
    throw error;
  }
}

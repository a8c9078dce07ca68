// A PKCS#11 token opened by label and logged in as its user: the library is loaded and
// initialized once per process (PKCS#11 v2.40 §5.4: C_Initialize is per application, and
// C_Finalize ends every session of it), so opening the same module twice shares it, and the last
// close finalizes it. Sessions are handed out to one operation at a time (a session runs one
// signing operation at once, §5.1), so concurrent signatures each get their own.
import { readFileSync, statSync } from 'node:fs';
import pkcs11js from 'pkcs11js';
import { ConfigError, type Pkcs11Config } from '../config.js';

export type Pkcs11 = InstanceType<typeof pkcs11js.PKCS11>;
export type Handle = Buffer;

/** A token that cannot be used as configured (missing, wrong PIN, no such key): a message for the operator. */
export class Pkcs11TokenError extends ConfigError {}

interface LoadedModule {
  pkcs11: Pkcs11;
  users: number;
}
const loaded = new Map<string, LoadedModule>();

function loadModule(modulePath: string): LoadedModule {
  const existing = loaded.get(modulePath);
  if (existing) {
    existing.users++;
    return existing;
  }
  const pkcs11 = new pkcs11js.PKCS11();
  try {
    pkcs11.load(modulePath);
    // OS locking: sessions are used from libuv's thread pool (C_SignAsync).
    pkcs11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (cause) {
    throw new Pkcs11TokenError(`Cannot load the PKCS#11 module ${modulePath} (EDUCRED_PKCS11_MODULE): ${(cause as Error).message}`, { cause });
  }
  const entry = { pkcs11, users: 1 };
  loaded.set(modulePath, entry);
  return entry;
}

function releaseModule(modulePath: string): void {
  const entry = loaded.get(modulePath);
  if (!entry || --entry.users > 0) return;
  loaded.delete(modulePath);
  try {
    entry.pkcs11.C_Finalize();
  } finally {
    entry.pkcs11.close();
  }
}

/** The PIN in its file, without the line break an editor leaves; refused when others may read it. */
export function readPin(pinFile: string): string {
  let text: string;
  try {
    if ((statSync(pinFile).mode & 0o077) !== 0) throw new Pkcs11TokenError(`The PIN file ${pinFile} (EDUCRED_PKCS11_PIN_FILE) is readable by other users; chmod 600 it`);
    text = readFileSync(pinFile, 'utf8');
  } catch (cause) {
    if (cause instanceof Pkcs11TokenError) throw cause;
    throw new Pkcs11TokenError(`Cannot read the PIN file ${pinFile} (EDUCRED_PKCS11_PIN_FILE): ${(cause as Error).message}`, { cause });
  }
  const pin = text.replace(/\r?\n$/, '');
  if (pin === '') throw new Pkcs11TokenError(`The PIN file ${pinFile} is empty`);
  return pin;
}

/** Sessions opened at most; more signatures at once wait for one (tokens limit their sessions). */
export const MAX_SESSIONS = 8;

export interface Pkcs11Token {
  pkcs11: Pkcs11;
  label: string;
  /** Runs `use` on a session of its own (a new one while fewer than MAX_SESSIONS are open), then keeps the session for the next caller. */
  withSession<T>(use: (session: Handle) => Promise<T> | T): Promise<T>;
  /** Waits for the operations under way, closes the sessions, and releases the module. */
  close(): Promise<void>;
}

const tokenLabel = (pkcs11: Pkcs11, slot: Handle): string => pkcs11.C_GetTokenInfo(slot).label.replace(/[ \0]+$/, '');

export function openPkcs11Token(config: Pick<Pkcs11Config, 'module' | 'token' | 'pinFile'>): Pkcs11Token {
  const pin = readPin(config.pinFile);
  const { pkcs11 } = loadModule(config.module);
  const idle: Handle[] = [];
  const all: Handle[] = [];
  const waiting: Array<(session: Handle) => void> = [];
  // Operations begun (waiting for a session or running); close() waits until none is left.
  let busy = 0;
  let drained: (() => void) | undefined;
  let closed = false;
  try {
    const slots = pkcs11.C_GetSlotList(true);
    const labels = slots.map((slot) => tokenLabel(pkcs11, slot));
    const matching = slots.filter((_, i) => labels[i] === config.token);
    if (matching.length !== 1) {
      const seen = labels.filter((l) => l !== '').map((l) => `'${l}'`).join(', ') || 'none';
      throw new Pkcs11TokenError(
        matching.length === 0
          ? `No PKCS#11 token labelled '${config.token}' (EDUCRED_PKCS11_TOKEN) in ${config.module}; tokens present: ${seen}`
          : `${matching.length} PKCS#11 tokens are labelled '${config.token}'; the label must name one token`,
      );
    }
    const slot = matching[0] as Handle;
    const open = (): Handle => {
      const session = pkcs11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      all.push(session);
      return session;
    };
    const first = open();
    idle.push(first);
    try {
      // A login applies to every session of the application with this token (v2.40 §5.6, C_Login).
      pkcs11.C_Login(first, pkcs11js.CKU_USER, pin);
    } catch (cause) {
      if ((cause as { code?: number }).code !== pkcs11js.CKR_USER_ALREADY_LOGGED_IN) {
        throw new Pkcs11TokenError(`Cannot log in to the PKCS#11 token '${config.token}': ${(cause as Error).message}`, { cause });
      }
    }
    return {
      pkcs11,
      label: config.token,
      async withSession(use) {
        if (closed) throw new Error(`The PKCS#11 token '${config.token}' is closed`);
        busy++;
        let session: Handle | undefined;
        try {
          session = idle.pop() ?? (all.length < MAX_SESSIONS ? open() : await new Promise<Handle>((resolve) => waiting.push(resolve)));
          return await use(session);
        } finally {
          if (session) {
            const next = waiting.shift();
            if (next) next(session);
            else idle.push(session);
          }
          if (--busy === 0) drained?.();
        }
      },
      async close() {
        if (closed) return;
        closed = true;
        if (busy > 0) await new Promise<void>((resolve) => (drained = resolve));
        for (const session of all) pkcs11.C_CloseSession(session);
        releaseModule(config.module);
      },
    };
  } catch (error) {
    for (const session of all) pkcs11.C_CloseSession(session);
    releaseModule(config.module);
    throw error;
  }
}

// SoftHSM2 (Debian's softhsm2) as a PKCS#11 token for tests: a token store in a temporary
// folder of its own (SOFTHSM2_CONF), a token initialised with softhsm2-util, and a PIN file.
// Where softhsm2 is missing the tests skip with the reason, except under CI=true, where a missing
// token is a failure (.ci/run installs it).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const MODULES = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so', '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so'];
export const SOFTHSM_MODULE = MODULES.find((m) => existsSync(m));

function hasSoftHsmUtil(): boolean {
  try {
    execFileSync('softhsm2-util', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const hasSoftHsm = SOFTHSM_MODULE !== undefined && hasSoftHsmUtil();
export const SOFTHSM_SKIP_REASON = 'PKCS#11 tests skipped: SoftHSM2 is missing (apt-get install -y softhsm2)';
/** Under CI a missing SoftHSM2 must fail the run, not skip it. */
export const mustHaveSoftHsm = process.env.CI === 'true';

export interface SoftHsm {
  /** The SOFTHSM2_CONF file; SoftHSM reads it when the module is initialised. */
  conf: string;
  module: string;
  token: string;
  pinFile: string;
  pin: string;
  /** EDUCRED_PKCS11_* and SOFTHSM2_CONF for a service or CLI using this token. */
  env(keyLabel?: string): Record<string, string>;
  /** Adds another token to the same store. */
  addToken(label: string): void;
  remove(): void;
}

/**
 * Creates a SoftHSM2 token store and one token. SoftHSM reads SOFTHSM2_CONF from the process
 * environment when the module is initialised, so it is set here for this process too: a test
 * file uses one store (PKCS#11 is initialised once per process).
 */
export function createSoftHsm(token = 'educred-test'): SoftHsm {
  if (!SOFTHSM_MODULE || !hasSoftHsm) throw new Error(SOFTHSM_SKIP_REASON);
  const dir = mkdtempSync(path.join(tmpdir(), 'educred-softhsm-'));
  const tokens = path.join(dir, 'tokens');
  mkdirSync(tokens);
  const conf = path.join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  const pin = '24680135';
  const pinFile = path.join(dir, 'pin');
  writeFileSync(pinFile, `${pin}\n`, { mode: 0o600 });
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  const addToken = (label: string): void => {
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', '13572468'], { env, stdio: 'pipe' });
  };
  addToken(token);
  process.env.SOFTHSM2_CONF = conf;
  const module = SOFTHSM_MODULE;
  return {
    conf,
    module,
    token,
    pinFile,
    pin,
    env: (keyLabel = 'educred-issuer') => ({
      SOFTHSM2_CONF: conf,
      EDUCRED_PKCS11_MODULE: module,
      EDUCRED_PKCS11_TOKEN: token,
      EDUCRED_PKCS11_PIN_FILE: pinFile,
      EDUCRED_PKCS11_KEY_LABEL: keyLabel,
    }),
    addToken,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

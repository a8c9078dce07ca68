// Opens the issuer's key provider from the configuration: a PKCS#11 token when EDUCRED_PKCS11_*
// is set, otherwise the key file (generated as a development key on first start). The one place
// the runtime reaches a key, so a KMS provider would be added here.
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { KeyProvider } from './keyProvider.js';
import { isKeyFileExposed, loadOrCreateIssuerKey } from './keys.js';
import { openPkcs11KeyProvider } from './pkcs11.js';

export async function openIssuerKey(config: Pick<Config, 'keyFile' | 'pkcs11'>, logger: Logger): Promise<KeyProvider> {
  if (config.pkcs11) {
    const provider = await openPkcs11KeyProvider(config.pkcs11);
    logger.info({ key: provider.keyId }, 'signing with the issuer key in a PKCS#11 token');
    return provider;
  }
  const { key, created } = await loadOrCreateIssuerKey(config.keyFile);
  if (created) logger.warn({ keyFile: config.keyFile }, 'generated a new development issuer key (keep it secret; use your own key in production)');
  else if (isKeyFileExposed(config.keyFile)) logger.warn({ keyFile: config.keyFile }, 'the issuer key file is readable by other users; chmod 600 it');
  return key;
}

// The issuer key in a PKCS#11 token: an Ed25519 key pair generated inside the token, its private
// half sensitive and never extractable, signing with CKM_EDDSA (PureEdDSA, no prehash). The key
// provider (src/signing/keyProvider.ts) signs through sessions of the main thread's token; signing
// workers send it the bytes to sign (docs/DESIGN.md, "Keys in a token").
import { createPublicKey, randomBytes, verify as cryptoVerify } from 'node:crypto';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import pkcs11js from 'pkcs11js';
import type { Pkcs11Config } from '../config.js';
import type { KeyProvider } from './keyProvider.js';
import { openPkcs11Token, Pkcs11TokenError, type Handle, type Pkcs11, type Pkcs11Token } from './pkcs11Token.js';

// PKCS#11 v3.0 §2.3 (Edwards curves); pkcs11js names only the v2.40 constants.
export const CKK_EC_EDWARDS = 0x40;
export const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055;
export const CKM_EDDSA = 0x1057;
/** CKA_EC_PARAMS of Ed25519: the DER of OID 1.3.101.112 (RFC 8410 §3), or the curve's PrintableString name (v3.0 §2.3.5). */
const ED25519_PARAMS = [Buffer.from('06032b6570', 'hex'), Buffer.concat([Buffer.from([0x13, 12]), Buffer.from('edwards25519')])];

export interface TokenKeyInfo {
  token: string;
  label: string;
  /** CKA_ID, hex. */
  id: string;
  publicKeyMultibase: string;
}

/** The RFC 7512 URI of a key, how operators and logs name it. */
export const pkcs11Uri = (token: string, label: string): string => `pkcs11:token=${encodeURIComponent(token)};object=${encodeURIComponent(label)}`;

const attribute = (pkcs11: Pkcs11, session: Handle, object: Handle, type: number): Buffer => (pkcs11.C_GetAttributeValue(session, object, [{ type }])[0]?.value ?? Buffer.alloc(0));
const isTrue = (value: Buffer): boolean => value.length > 0 && value[0] !== 0;

function findObjects(pkcs11: Pkcs11, session: Handle, template: pkcs11js.Template): Handle[] {
  pkcs11.C_FindObjectsInit(session, template);
  try {
    return pkcs11.C_FindObjects(session, 16);
  } finally {
    pkcs11.C_FindObjectsFinal(session);
  }
}

/** CKA_EC_POINT of an Edwards key: the DER OCTET STRING of the 32-byte key (v3.0 §2.3.6), or the raw key some tokens give. */
function rawPublicKey(ecPoint: Buffer): Buffer {
  const raw = ecPoint.length === 34 && ecPoint[0] === 0x04 && ecPoint[1] === 32 ? ecPoint.subarray(2) : ecPoint;
  if (raw.length !== 32) throw new Pkcs11TokenError(`The token's public key has ${raw.length} bytes; an Ed25519 key has 32`);
  return raw;
}

const multibaseOf = async (raw: Buffer): Promise<string> => (await Ed25519Multikey.fromJwk({ jwk: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') } })).publicKeyMultibase;

const privateKeyTemplate = (label: string): pkcs11js.Template => [
  { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
  { type: pkcs11js.CKA_LABEL, value: label },
];

/**
 * Generates the issuer key pair in the token (CKM_EC_EDWARDS_KEY_PAIR_GEN): the private key is
 * a token object, private, sensitive, not extractable and for signing only. Refuses a label that
 * a key already has, as `keys generate` refuses to overwrite a key file.
 */
export async function generateTokenKey(config: Pick<Pkcs11Config, 'module' | 'token' | 'pinFile' | 'keyLabel'>): Promise<TokenKeyInfo> {
  const token = openPkcs11Token(config);
  try {
    return await token.withSession(async (session) => {
      const { pkcs11 } = token;
      if (findObjects(pkcs11, session, privateKeyTemplate(config.keyLabel)).length > 0) {
        throw new Pkcs11TokenError(`The token '${config.token}' already holds a key labelled '${config.keyLabel}'; refusing to make a second (choose another EDUCRED_PKCS11_KEY_LABEL or --label)`);
      }
      const id = randomBytes(16);
      const common = [
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_LABEL, value: config.keyLabel },
        { type: pkcs11js.CKA_ID, value: id },
        { type: pkcs11js.CKA_KEY_TYPE, value: CKK_EC_EDWARDS },
      ];
      let pair: { publicKey: Handle; privateKey: Handle };
      try {
        pair = pkcs11.C_GenerateKeyPair(
          session,
          { mechanism: CKM_EC_EDWARDS_KEY_PAIR_GEN },
          [...common, { type: pkcs11js.CKA_EC_PARAMS, value: ED25519_PARAMS[0] as Buffer }, { type: pkcs11js.CKA_VERIFY, value: true }],
          [
            ...common,
            { type: pkcs11js.CKA_PRIVATE, value: true },
            { type: pkcs11js.CKA_SENSITIVE, value: true },
            { type: pkcs11js.CKA_EXTRACTABLE, value: false },
            { type: pkcs11js.CKA_SIGN, value: true },
            { type: pkcs11js.CKA_DECRYPT, value: false },
            { type: pkcs11js.CKA_DERIVE, value: false },
          ],
        );
      } catch (cause) {
        throw new Pkcs11TokenError(`The token '${config.token}' cannot generate an Ed25519 key (CKM_EC_EDWARDS_KEY_PAIR_GEN): ${(cause as Error).message}`, { cause });
      }
      const publicKeyMultibase = await multibaseOf(rawPublicKey(attribute(pkcs11, session, pair.publicKey, pkcs11js.CKA_EC_POINT)));
      return { token: config.token, label: config.keyLabel, id: id.toString('hex'), publicKeyMultibase };
    });
  } finally {
    await token.close();
  }
}

interface FoundKey {
  privateKey: Handle;
  publicKey: Buffer;
  info: TokenKeyInfo;
}

/** Finds the one Ed25519 key pair labelled `label`, and refuses a private key that could leave the token. */
async function findTokenKey(token: Pkcs11Token, label: string): Promise<FoundKey> {
  return token.withSession(async (session) => {
    const { pkcs11 } = token;
    const privateKeys = findObjects(pkcs11, session, privateKeyTemplate(label));
    if (privateKeys.length !== 1) {
      throw new Pkcs11TokenError(
        privateKeys.length === 0
          ? `The token '${token.label}' holds no private key labelled '${label}' (EDUCRED_PKCS11_KEY_LABEL); make one with: educred keys generate --pkcs11`
          : `The token '${token.label}' holds ${privateKeys.length} private keys labelled '${label}'; the label must name one key`,
      );
    }
    const privateKey = privateKeys[0] as Handle;
    const keyType = attribute(pkcs11, session, privateKey, pkcs11js.CKA_KEY_TYPE).readUIntLE(0, 1);
    const params = attribute(pkcs11, session, privateKey, pkcs11js.CKA_EC_PARAMS);
    if (keyType !== CKK_EC_EDWARDS || !ED25519_PARAMS.some((p) => p.equals(params))) {
      throw new Pkcs11TokenError(`The key '${label}' in token '${token.label}' is not an Ed25519 key (CKK_EC_EDWARDS on edwards25519)`);
    }
    // The key must never have left the token, and must not be able to (v2.40 §4.9 private key objects).
    const extractable = isTrue(attribute(pkcs11, session, privateKey, pkcs11js.CKA_EXTRACTABLE));
    const sensitive = isTrue(attribute(pkcs11, session, privateKey, pkcs11js.CKA_SENSITIVE));
    if (extractable || !sensitive) {
      throw new Pkcs11TokenError(
        `The key '${label}' in token '${token.label}' is ${extractable ? 'extractable' : 'not sensitive'}: educred signs only with a key that cannot leave the token (CKA_EXTRACTABLE false, CKA_SENSITIVE true); generate one with educred keys generate --pkcs11`,
      );
    }
    const id = attribute(pkcs11, session, privateKey, pkcs11js.CKA_ID);
    const publicKeys = findObjects(pkcs11, session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
      { type: pkcs11js.CKA_ID, value: id },
    ]);
    if (publicKeys.length !== 1) throw new Pkcs11TokenError(`The token '${token.label}' holds ${publicKeys.length} public keys with the id of '${label}'; expected one`);
    const publicKey = rawPublicKey(attribute(pkcs11, session, publicKeys[0] as Handle, pkcs11js.CKA_EC_POINT));
    const publicKeyMultibase = await multibaseOf(publicKey);
    return { privateKey, publicKey, info: { token: token.label, label, id: id.toString('hex'), publicKeyMultibase } };
  });
}

export interface Pkcs11KeyProvider extends KeyProvider {
  readonly info: TokenKeyInfo;
}

/** Signs with CKM_EDDSA and no parameters: PureEdDSA Ed25519 (v3.0 §2.3.14), what the EdDSA cryptosuites verify. */
async function signInToken(token: Pkcs11Token, privateKey: Handle, data: Uint8Array): Promise<Uint8Array> {
  return token.withSession(async (session) => {
    token.pkcs11.C_SignInit(session, { mechanism: CKM_EDDSA }, privateKey);
    // Async: the token works on libuv's thread pool, so a slow (network) HSM never blocks the event loop.
    const signature = await token.pkcs11.C_SignAsync(session, Buffer.from(data.buffer, data.byteOffset, data.byteLength), Buffer.alloc(64));
    return new Uint8Array(signature);
  });
}

/**
 * Opens the configured token and key. Before it is used, the key signs a probe that is checked
 * against its public key, so a token that would sign another variant (Ed25519ph) or with another
 * key is refused at start, not discovered by a verifier.
 */
export async function openPkcs11KeyProvider(config: Pkcs11Config): Promise<Pkcs11KeyProvider> {
  const token = openPkcs11Token(config);
  try {
    const { privateKey, publicKey, info } = await findTokenKey(token, config.keyLabel);
    const probe = randomBytes(32);
    const signature = await signInToken(token, privateKey, probe);
    if (!cryptoVerify(null, probe, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') }, format: 'jwk' }), signature)) {
      throw new Pkcs11TokenError(`The key '${config.keyLabel}' in token '${config.token}' made a signature its public key does not verify (CKM_EDDSA must be PureEdDSA Ed25519)`);
    }
    return {
      info,
      keyId: pkcs11Uri(config.token, config.keyLabel),
      publicKeyMultibase: info.publicKeyMultibase,
      workerKey: { kind: 'main-thread' },
      sign: (data) => signInToken(token, privateKey, data),
      close: () => token.close(),
    };
  } catch (error) {
    await token.close();
    throw error;
  }
}

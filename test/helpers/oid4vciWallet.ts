// A test wallet for OID4VCI 1.0, independent of educred's code and of the @openid4vc classes the
// server uses: `jose` for keys and JWTs, plain `fetch` for the protocol, each step following the
// specification section cited. It holds one key (Ed25519 as did:key, P-256 as did:jwk, or either
// sent as a bare `jwk` header) and can be told to break a step (for the refusal tests).
import * as jose from 'jose';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

type Json = Record<string, any>;
export type HolderKind = 'did:key' | 'did:jwk' | 'jwk';

export interface OfferedGrant {
  offer: Json;
  issuerMetadata: Json;
  authorizationServer: Json;
  preAuthorizedCode: string;
  txCode?: Json | undefined;
}

export interface Oid4vciWallet {
  kind: HolderKind;
  /** The DID the credential should name: did:key, or did:jwk (for did:jwk and jwk holders). */
  did: string;
  /** §4.1: resolve an openid-credential-offer:// link (credential_offer_uri by reference). */
  openOffer(deepLink: string): Promise<OfferedGrant>;
  /** §6.1: the token request; the raw response. */
  requestToken(grant: OfferedGrant, options?: { txCode?: string | undefined; code?: string | undefined }): Promise<Response>;
  /** §7.1: a c_nonce from the nonce endpoint. */
  nonce(grant: OfferedGrant): Promise<string>;
  /** Appendix F.1: a key proof JWT (parts overridable for the refusal tests). */
  keyProof(grant: OfferedGrant, options: { nonce?: string | undefined; aud?: string | undefined; iat?: number | undefined; signWith?: jose.CryptoKey | undefined; typ?: string | undefined }): Promise<string>;
  /** §8.2: the credential request; the raw response. */
  requestCredential(grant: OfferedGrant, accessToken: string, configurationId: string, proof: string | undefined): Promise<Response>;
  /** The whole flow: offer, metadata, token, nonce, proof, credential. */
  collect(deepLink: string, configurationId: string, options?: { txCode?: string | undefined }): Promise<{ credential: unknown; response: Json }>;
}

const PRE_AUTH = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';

async function json(res: Response, what: string): Promise<Json> {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as Json;
}

/** §12.2.2: the metadata URL is the issuer identifier with /.well-known/openid-credential-issuer inserted after the host. */
const wellKnown = (identifier: string, suffix: string): string => {
  const url = new URL(identifier);
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}/.well-known/${suffix}${path}`;
};

export async function createOid4vciWallet(kind: HolderKind = 'did:key'): Promise<Oid4vciWallet> {
  const alg = kind === 'did:key' ? 'EdDSA' : 'ES256';
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
  const publicJwk = await jose.exportJWK(publicKey);
  let did: string;
  let kid: string | undefined;
  if (kind === 'did:key') {
    // did:key spec: multibase(base58btc, multicodec ed25519-pub 0xed01 + 32 key bytes).
    const keyPair = await Ed25519Multikey.fromJwk({ jwk: publicJwk as Record<string, string> });
    const { publicKeyMultibase } = await keyPair.export({ publicKey: true, includeContext: false });
    did = `did:key:${publicKeyMultibase}`;
    kid = `${did}#${publicKeyMultibase}`;
  } else if (kind === 'did:jwk') {
    // did:jwk spec: base64url of the JWK's JSON; its one key is #0.
    did = `did:jwk:${Buffer.from(JSON.stringify(publicJwk)).toString('base64url')}`;
    kid = `${did}#0`;
  } else {
    // A bare jwk: the issuer names the holder by the did:jwk of the key's RFC 7638 members, sorted.
    did = `did:jwk:${Buffer.from(JSON.stringify({ crv: publicJwk.crv, kty: publicJwk.kty, x: publicJwk.x, y: publicJwk.y })).toString('base64url')}`;
    kid = undefined;
  }

  const wallet: Oid4vciWallet = {
    kind,
    did,
    async openOffer(deepLink) {
      const url = new URL(deepLink);
      if (url.protocol !== 'openid-credential-offer:') throw new Error(`not a credential offer link: ${deepLink}`);
      const byValue = url.searchParams.get('credential_offer');
      const offer = byValue ? (JSON.parse(byValue) as Json) : await json(await fetch(url.searchParams.get('credential_offer_uri')!), 'credential offer');
      const issuerMetadata = await json(await fetch(wellKnown(offer.credential_issuer, 'openid-credential-issuer')), 'issuer metadata');
      if (issuerMetadata.credential_issuer !== offer.credential_issuer) throw new Error('§12.2.3: metadata credential_issuer differs from the offer');
      // §12.2.4: no authorization_servers means the credential issuer is its own authorization server.
      const asIssuer = (issuerMetadata.authorization_servers as string[] | undefined)?.[0] ?? offer.credential_issuer;
      const authorizationServer = await json(await fetch(wellKnown(asIssuer, 'oauth-authorization-server')), 'authorization server metadata');
      const grant = offer.grants?.[PRE_AUTH];
      if (!grant) throw new Error('the offer has no pre-authorized code grant');
      return { offer, issuerMetadata, authorizationServer, preAuthorizedCode: grant['pre-authorized_code'], txCode: grant.tx_code };
    },
    requestToken(grant, options = {}) {
      const body = new URLSearchParams({ grant_type: PRE_AUTH, 'pre-authorized_code': options.code ?? grant.preAuthorizedCode });
      if (options.txCode !== undefined) body.set('tx_code', options.txCode);
      return fetch(grant.authorizationServer.token_endpoint, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
    },
    async nonce(grant) {
      const body = await json(await fetch(grant.issuerMetadata.nonce_endpoint, { method: 'POST' }), 'nonce');
      return body.c_nonce as string;
    },
    async keyProof(grant, options) {
      const header: jose.JWTHeaderParameters = { alg, typ: options.typ ?? 'openid4vci-proof+jwt', ...(kid ? { kid } : { jwk: publicJwk }) };
      const payload: jose.JWTPayload = { aud: options.aud ?? grant.offer.credential_issuer, iat: options.iat ?? Math.floor(Date.now() / 1000), ...(options.nonce !== undefined ? { nonce: options.nonce } : {}) };
      return new jose.SignJWT(payload).setProtectedHeader(header).sign(options.signWith ?? privateKey);
    },
    requestCredential(grant, accessToken, configurationId, proof) {
      const body = { credential_configuration_id: configurationId, ...(proof !== undefined ? { proofs: { jwt: [proof] } } : {}) };
      return fetch(grant.issuerMetadata.credential_endpoint, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}` }, body: JSON.stringify(body) });
    },
    async collect(deepLink, configurationId, options = {}) {
      const grant = await wallet.openOffer(deepLink);
      if (!grant.offer.credential_configuration_ids.includes(configurationId)) throw new Error(`${configurationId} is not offered`);
      const token = await json(await wallet.requestToken(grant, { txCode: options.txCode }), 'token');
      const nonce = await wallet.nonce(grant);
      const proof = await wallet.keyProof(grant, { nonce });
      const response = await json(await wallet.requestCredential(grant, token.access_token, configurationId, proof), 'credential');
      return { credential: response.credentials[0].credential, response };
    },
  };
  return wallet;
}

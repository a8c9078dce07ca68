// The @digitalbazaar packages ship no type declarations. These give the project the few
// signatures it calls, loosely typed: results are validated where they are used.
declare module '@digitalbazaar/vc' {
  export const defaultDocumentLoader: unknown;
  export function issue(options: Record<string, unknown>): Promise<Record<string, unknown>>;
  export function verifyCredential(options: Record<string, unknown>): Promise<{
    verified: boolean;
    results?: Array<Record<string, unknown>>;
    error?: unknown;
  }>;
  export function signPresentation(options: Record<string, unknown>): Promise<Record<string, unknown>>;
  export function createPresentation(options: Record<string, unknown>): Record<string, unknown>;
  export class CredentialIssuancePurpose {
    constructor(options?: Record<string, unknown>);
  }
  export function verify(options: Record<string, unknown>): Promise<{
    verified: boolean;
    presentationResult?: Record<string, unknown>;
    credentialResults?: Array<Record<string, unknown>>;
    error?: unknown;
  }>;
}
declare module '@digitalbazaar/ed25519-multikey' {
  export interface Ed25519KeyPair {
    id?: string;
    controller?: string;
    publicKeyMultibase: string;
    secretKeyMultibase?: string;
    export(options: { publicKey?: boolean; secretKey?: boolean; includeContext?: boolean }): Promise<Record<string, unknown>>;
    signer(): { id: string; algorithm: string; sign(args: { data: Uint8Array }): Promise<Uint8Array> };
    verifier(): { id: string; algorithm: string; verify(args: { data: Uint8Array; signature: Uint8Array }): Promise<boolean> };
  }
  export function generate(options?: { id?: string; controller?: string; seed?: Uint8Array }): Promise<Ed25519KeyPair>;
  export function from(key: Record<string, unknown>): Promise<Ed25519KeyPair>;
  export function toJwk(options: { keyPair: Ed25519KeyPair; secretKey?: boolean }): Promise<Record<string, string>>;
  export function fromJwk(options: { jwk: Record<string, string>; secretKey?: boolean }): Promise<Ed25519KeyPair>;
}
declare module '@digitalbazaar/data-integrity' {
  export class DataIntegrityProof {
    constructor(options: Record<string, unknown>);
  }
}
declare module '@digitalbazaar/eddsa-jcs-2022-cryptosuite' {
  export function createSignCryptosuite(): Record<string, unknown>;
  export function createVerifyCryptosuite(): Record<string, unknown>;
}
declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite' {
  export const cryptosuite: Record<string, unknown>;
}
declare module '@digitalbazaar/ed25519-signature-2020' {
  export class Ed25519Signature2020 {
    constructor(options?: Record<string, unknown>);
  }
  export const suiteContext: { CONTEXT_URL: string };
}
declare module '@digitalbazaar/did-method-key' {
  export function driver(): {
    use(options: Record<string, unknown>): void;
    get(options: { did?: string; url?: string }): Promise<Record<string, unknown>>;
    fromKeyPair(options: Record<string, unknown>): Promise<{ didDocument: Record<string, unknown> }>;
  };
  export function createFromMultibase(from: unknown): unknown;
}
declare module 'jsonld';
declare module 'rdf-canonize' {
  /** RDF Dataset Canonicalization (RDFC-1.0) of a dataset (an array of RDF/JS-style quads, as jsonld.toRDF returns). */
  export function canonize(dataset: unknown, options: Record<string, unknown>): Promise<unknown>;
}
declare module 'jsonld-signatures' {
  const jsigs: {
    verify(document: Record<string, unknown>, options: Record<string, unknown>): Promise<{
      verified: boolean;
      results?: Array<Record<string, unknown>>;
      error?: unknown;
    }>;
    purposes: {
      AuthenticationProofPurpose: new (options: { challenge: string; domain?: string | undefined; controller?: unknown }) => unknown;
      ControllerProofPurpose: new (options: { term: string; controller?: unknown }) => unknown;
      AssertionProofPurpose: new (options?: { controller?: unknown }) => unknown;
    };
  };
  export default jsigs;
}

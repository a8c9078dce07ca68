// Service configuration, read once from the environment, validated and frozen. Every setting
// has a default that makes `npm start` useful on a fresh machine.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { STATUS_PURPOSES, type StatusPurpose } from './store/statusLists.js';

export const PROOF_SUITES = ['eddsa-rdfc-2022', 'eddsa-jcs-2022', 'Ed25519Signature2020'] as const;
export type ProofSuiteName = (typeof PROOF_SUITES)[number];

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  EDUCRED_ADMIN_TOKEN: z.string().min(16, 'EDUCRED_ADMIN_TOKEN must be at least 16 characters').optional(),
  // `verifier`: a verifier only (presentation requests, verify page and API; no issuer key, no issuance routes).
  EDUCRED_ROLE: z.enum(['issuer', 'verifier']).default('issuer'),
  // A token with the verify scope, stored hashed at start (how a verifier-only instance gets one without an admin).
  EDUCRED_VERIFY_TOKEN: z.string().min(16, 'EDUCRED_VERIFY_TOKEN must be at least 16 characters').optional(),
  EDUCRED_DATA_DIR: z.string().min(1).default('./data'),
  // PostgreSQL for several nodes (src/store/engine.ts); unset keeps SQLite in EDUCRED_DATA_DIR.
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL (unset it to keep SQLite in EDUCRED_DATA_DIR)')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  EDUCRED_BATCH_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  EDUCRED_NODE_ID: z.string().trim().min(1).max(200).optional(),
  EDUCRED_PROOF_SUITE: z.enum(PROOF_SUITES).default('eddsa-rdfc-2022'),
  EDUCRED_KEY_FILE: z.string().min(1).optional(),
  EDUCRED_DID_WEB_DOMAIN: z.string().min(1).optional(),
  // The issuer key in a PKCS#11 token instead of a file (src/signing/pkcs11.ts).
  EDUCRED_PKCS11_MODULE: z.string().min(1).optional(),
  EDUCRED_PKCS11_TOKEN: z.string().min(1).max(32, 'EDUCRED_PKCS11_TOKEN: a token label has at most 32 characters (PKCS#11 CK_TOKEN_INFO.label)').optional(),
  EDUCRED_PKCS11_PIN_FILE: z.string().min(1).optional(),
  EDUCRED_PKCS11_KEY_LABEL: z.string().min(1).max(128).default('educred-issuer'),
  EDUCRED_ISSUER_NAME: z.string().min(1).default('educred development issuer'),
  EDUCRED_ISSUER_URL: z.url().optional(),
  EDUCRED_BODY_LIMIT: z.coerce.number().int().positive().default(1024 * 1024),
  EDUCRED_EXTRA_CONTEXTS_DIR: z.string().min(1).optional(),
  EDUCRED_ENDORSEMENTS_DIR: z.string().min(1).optional(),
  // A program's own frameworks (docs/frameworks.md): framework JSON or CASE packages, loaded at start.
  EDUCRED_FRAMEWORKS_DIR: z.string().min(1).optional(),
  EDUCRED_CLAIM_TTL_DAYS: z.coerce.number().positive().max(3650).default(30),
  // OID4VCI 1.0 §4.1.1 tx_code: `required` makes every pre-authorized code need a 6-digit
  // transaction code, shown to the educator beside the offer (not inside it).
  EDUCRED_OID4VCI_TX_CODE: z.enum(['off', 'required']).default('off'),
  // The status entries every badge carries: OB 3.0 types credentialStatus as one object (0..1),
  // so the default is revocation alone; `revocation,suspension` adds a second entry (a VC 2.0
  // set that 1EdTech openbadges-specification#623 proposes for OB 3.1).
  EDUCRED_STATUS_PURPOSES: z
    .string()
    .default('revocation')
    .transform((value, ctx) => {
      const purposes = [...new Set(value.split(',').map((p) => p.trim()).filter(Boolean))];
      const unknown = purposes.filter((p) => !(STATUS_PURPOSES as readonly string[]).includes(p));
      if (unknown.length > 0 || !purposes.includes('revocation')) {
        ctx.addIssue({ code: 'custom', message: `must list 'revocation', optionally with 'suspension' (got ${JSON.stringify(value)})` });
        return z.NEVER;
      }
      // Always in the canonical order, so the entries' order does not depend on how it was written.
      return STATUS_PURPOSES.filter((p) => purposes.includes(p));
    }),
  // Signing worker threads (0 signs on the main thread); default: the cores Node may use.
  EDUCRED_SIGNING_WORKERS: z.coerce.number().int().min(0).max(64).optional(),
  // The signing fast path for Open Badges (src/signing/fastCanonize.ts): byte-identical output; 'off' for comparison.
  EDUCRED_SIGNING_FAST_PATH: z.enum(['on', 'off']).default('on'),
  EDUCRED_BATCH_BODY_LIMIT: z.coerce.number().int().positive().default(32 * 1024 * 1024),
  // Requests per minute per client on the public verify and claim routes; 0 turns the limit off.
  EDUCRED_RATE_LIMIT: z.coerce.number().int().min(0).default(120),
  EDUCRED_TLS_CERT_FILE: z.string().min(1).optional(),
  EDUCRED_TLS_KEY_FILE: z.string().min(1).optional(),
  EDUCRED_FETCH_TIMEOUT_MS: z.coerce.number().int().positive().max(120_000).default(5000),
  EDUCRED_FETCH_MAX_BYTES: z.coerce.number().int().positive().default(2 * 1024 * 1024),
  EDUCRED_FETCH_ALLOW_PRIVATE: z.enum(['true', 'false', '1', '0']).default('false'),
  EDUCRED_FETCH_CA_FILE: z.string().min(1).optional(),
  EDUCRED_VERIFY_DOCUMENTS_DIR: z.string().min(1).optional(),
  EDUCRED_TRUST_POLICY: z.string().min(1).optional(),
  // OpenID Federation: this entity's superiors, comma-separated https entity identifiers (authority_hints).
  EDUCRED_FEDERATION_AUTHORITY_HINTS: z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((h) => h.trim()).filter(Boolean))
    .pipe(z.array(z.url({ protocol: /^https$/, message: 'each authority hint must be an https entity identifier' })).max(16)),
  // Outgoing mail for claim links (src/mail/): smtp:// (STARTTLS when offered) or smtps://.
  EDUCRED_SMTP_URL: z.url({ protocol: /^smtps?$/, message: 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.org:587' }).optional(),
  EDUCRED_MAIL_FROM: z.string().trim().min(3).max(320).optional(),
  // The console's sign-in (src/console/): OpenID Connect when an issuer is set, else the admin token.
  EDUCRED_OIDC_ISSUER: z.url({ protocol: /^https?$/, message: 'must be the http(s) URL of an OpenID Connect issuer' }).optional(),
  EDUCRED_OIDC_CLIENT_ID: z.string().trim().min(1).max(500).optional(),
  EDUCRED_OIDC_CLIENT_SECRET: z.string().min(1).max(2000).optional(),
  EDUCRED_OIDC_ROLE_CLAIM: z.string().trim().min(1).max(200).optional(),
  EDUCRED_SESSION_SECRET: z.string().min(32, 'EDUCRED_SESSION_SECRET must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  port: number;
  host: string;
  /** Public origin used in every id and URL the service mints, without a trailing slash. */
  baseUrl: string;
  adminToken: string | undefined;
  /** `issuer` (the default: issues and verifies) or `verifier` (verifies only: no issuer key, no issuance routes). */
  role: 'issuer' | 'verifier';
  /** EDUCRED_VERIFY_TOKEN: a token with the verify scope, stored (hashed) at start. */
  verifyToken: string | undefined;
  dataDir: string;
  databaseFile: string;
  /** PostgreSQL (DATABASE_URL), or undefined for SQLite in `databaseFile`. Holds a password: never log it. */
  databaseUrl: string | undefined;
  /** How long a node holds the batch rows it took (EDUCRED_BATCH_LEASE_SECONDS). */
  batchLeaseSeconds: number;
  /**
   * This server's name in batch row leases (EDUCRED_NODE_ID; default host name and port): the
   * same after a restart, so a node that crashed takes its own rows back at once instead of
   * waiting for its leases to run out. Must differ between nodes sharing a database.
   */
  nodeId: string;
  proofSuite: ProofSuiteName;
  /** The issuer key file; defaults to a generated dev key under the data folder. */
  keyFile: string;
  /** The issuer key in a PKCS#11 token (EDUCRED_PKCS11_*); when set, `keyFile` is not used. */
  pkcs11: Pkcs11Config | undefined;
  /** When set, the issuer is `did:web:<domain>` and serves its DID document. */
  didWebDomain: string | undefined;
  issuerName: string;
  issuerUrl: string | undefined;
  bodyLimit: number;
  extraContextsDir: string | undefined;
  /** Folder of EndorsementCredentials this issuer holds, embedded in every badge it issues. */
  endorsementsDir: string | undefined;
  /** Framework JSON and CASE packages loaded at start beside the built-in framework. */
  frameworksDir: string | undefined;
  /** How long a claim link stays usable (days). */
  claimTtlDays: number;
  /** Whether OID4VCI pre-authorized codes need a transaction code (EDUCRED_OID4VCI_TX_CODE). */
  oid4vciTxCode: 'off' | 'required';
  /** The status purposes every badge gets an entry for (revocation first; suspension optional). */
  statusPurposes: readonly StatusPurpose[];
  logLevel: string;
  /** Worker threads that canonicalize and sign (0: sign on the main thread). */
  signingWorkers: number;
  /** Sign Open Badges through the fast path (the same bytes; `off` measures the general path). */
  signingFastPath: boolean;
  /** Size limit of a POST /awards/batch upload (bytes); `bodyLimit` is for every other route. */
  batchBodyLimit: number;
  /** Requests per minute per client on public verify and claim routes (0: no limit). */
  rateLimitPerMinute: number;
  /** Serve HTTPS with this certificate and key (PEM files); both or neither. */
  tls: { certFile: string; keyFile: string } | undefined;
  /** The guarded fetcher that verification uses for did:web documents and status lists. */
  fetch: {
    timeoutMs: number;
    maxBytes: number;
    /** Allow loopback and private addresses (development and tests only). */
    allowPrivateNetworks: boolean;
    /** Extra trusted CA certificates (PEM) for HTTPS fetches, e.g. an internal CA. */
    caFile: string | undefined;
  };
  /** Folder of pinned DID / controller documents used before any network resolution. */
  verifyDocumentsDir: string | undefined;
  /** The verifier's trust policy file (JSON or YAML): trusted issuers, endorsers, approval rules. */
  trustPolicyFile: string | undefined;
  /** OpenID Federation authority_hints of this entity's configuration (EDUCRED_FEDERATION_AUTHORITY_HINTS). */
  federationAuthorityHints: string[];
  /** Outgoing mail (claim links by email); undefined when EDUCRED_SMTP_URL is not set. */
  mail: MailConfig | undefined;
  /** The console's OpenID Connect sign-in; undefined: sign-in with an API token (the embedded default). */
  oidc: OidcConfig | undefined;
  /** Signs the console's cookies (EDUCRED_SESSION_SECRET); undefined: generated and kept in the data folder. Never log it. */
  sessionSecret: string | undefined;
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  /** Never log it. */
  clientSecret: string;
  /** The ID token or userinfo claim naming the person's console role (admin, registrar, observer). */
  roleClaim: string | undefined;
}

export interface Pkcs11Config {
  /** The PKCS#11 library (e.g. /usr/lib/softhsm/libsofthsm2.so). */
  module: string;
  /** The token's label. */
  token: string;
  /** A file holding the user PIN (never the PIN itself in the environment). */
  pinFile: string;
  /** CKA_LABEL of the key pair. */
  keyLabel: string;
}

export interface MailConfig {
  /** The SMTP server, credentials included: never log it (src/mail/transport.ts redacts it). */
  smtpUrl: string;
  /** The From address of every message, e.g. `Badges <badges@program.example>`. */
  from: string;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.EDUCRED_DATA_DIR);
  const baseUrl = (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    baseUrl,
    adminToken: e.EDUCRED_ADMIN_TOKEN,
    role: e.EDUCRED_ROLE,
    verifyToken: e.EDUCRED_VERIFY_TOKEN,
    dataDir,
    databaseFile: path.join(dataDir, 'educred.sqlite'),
    databaseUrl: e.DATABASE_URL,
    batchLeaseSeconds: e.EDUCRED_BATCH_LEASE_SECONDS,
    nodeId: e.EDUCRED_NODE_ID ?? `${os.hostname()}:${e.PORT}`,
    proofSuite: e.EDUCRED_PROOF_SUITE,
    keyFile: path.resolve(e.EDUCRED_KEY_FILE ?? path.join(dataDir, 'keys', 'issuer.json')),
    pkcs11: pkcs11Config(e.EDUCRED_PKCS11_MODULE, e.EDUCRED_PKCS11_TOKEN, e.EDUCRED_PKCS11_PIN_FILE, e.EDUCRED_PKCS11_KEY_LABEL),
    didWebDomain: e.EDUCRED_DID_WEB_DOMAIN,
    issuerName: e.EDUCRED_ISSUER_NAME,
    issuerUrl: e.EDUCRED_ISSUER_URL,
    bodyLimit: e.EDUCRED_BODY_LIMIT,
    extraContextsDir: e.EDUCRED_EXTRA_CONTEXTS_DIR,
    endorsementsDir: e.EDUCRED_ENDORSEMENTS_DIR,
    frameworksDir: e.EDUCRED_FRAMEWORKS_DIR ? path.resolve(e.EDUCRED_FRAMEWORKS_DIR) : undefined,
    claimTtlDays: e.EDUCRED_CLAIM_TTL_DAYS,
    oid4vciTxCode: e.EDUCRED_OID4VCI_TX_CODE,
    statusPurposes: e.EDUCRED_STATUS_PURPOSES,
    logLevel: e.LOG_LEVEL,
    signingWorkers: e.EDUCRED_SIGNING_WORKERS ?? Math.max(1, os.availableParallelism()),
    signingFastPath: e.EDUCRED_SIGNING_FAST_PATH === 'on',
    batchBodyLimit: e.EDUCRED_BATCH_BODY_LIMIT,
    rateLimitPerMinute: e.EDUCRED_RATE_LIMIT,
    tls: tlsConfig(e.EDUCRED_TLS_CERT_FILE, e.EDUCRED_TLS_KEY_FILE),
    fetch: {
      timeoutMs: e.EDUCRED_FETCH_TIMEOUT_MS,
      maxBytes: e.EDUCRED_FETCH_MAX_BYTES,
      allowPrivateNetworks: e.EDUCRED_FETCH_ALLOW_PRIVATE === 'true' || e.EDUCRED_FETCH_ALLOW_PRIVATE === '1',
      caFile: e.EDUCRED_FETCH_CA_FILE && path.resolve(e.EDUCRED_FETCH_CA_FILE),
    },
    verifyDocumentsDir: e.EDUCRED_VERIFY_DOCUMENTS_DIR && path.resolve(e.EDUCRED_VERIFY_DOCUMENTS_DIR),
    trustPolicyFile: e.EDUCRED_TRUST_POLICY && path.resolve(e.EDUCRED_TRUST_POLICY),
    federationAuthorityHints: e.EDUCRED_FEDERATION_AUTHORITY_HINTS,
    mail: mailConfig(e.EDUCRED_SMTP_URL, e.EDUCRED_MAIL_FROM),
    oidc: oidcConfig(e.EDUCRED_OIDC_ISSUER, e.EDUCRED_OIDC_CLIENT_ID, e.EDUCRED_OIDC_CLIENT_SECRET, e.EDUCRED_OIDC_ROLE_CLAIM),
    sessionSecret: e.EDUCRED_SESSION_SECRET,
  });
}

function tlsConfig(certFile: string | undefined, keyFile: string | undefined): Config['tls'] {
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new ConfigError('Invalid configuration:\n  EDUCRED_TLS_CERT_FILE and EDUCRED_TLS_KEY_FILE go together: set both to serve HTTPS, or neither');
  return { certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) };
}

function pkcs11Config(module: string | undefined, token: string | undefined, pinFile: string | undefined, keyLabel: string): Config['pkcs11'] {
  if (!module && !token && !pinFile) return undefined;
  const missing = [!module && 'EDUCRED_PKCS11_MODULE', !token && 'EDUCRED_PKCS11_TOKEN', !pinFile && 'EDUCRED_PKCS11_PIN_FILE'].filter(Boolean);
  if (missing.length > 0 || !module || !token || !pinFile) {
    throw new ConfigError(`Invalid configuration:\n  ${missing.join(', ')}: a PKCS#11 key needs EDUCRED_PKCS11_MODULE, EDUCRED_PKCS11_TOKEN and EDUCRED_PKCS11_PIN_FILE together`);
  }
  return Object.freeze({ module: path.resolve(module), token, pinFile: path.resolve(pinFile), keyLabel });
}

function oidcConfig(issuer: string | undefined, clientId: string | undefined, clientSecret: string | undefined, roleClaim: string | undefined): Config['oidc'] {
  if (!issuer && !clientId && !clientSecret) {
    if (roleClaim) throw new ConfigError('Invalid configuration:\n  EDUCRED_OIDC_ROLE_CLAIM needs EDUCRED_OIDC_ISSUER, EDUCRED_OIDC_CLIENT_ID and EDUCRED_OIDC_CLIENT_SECRET');
    return undefined;
  }
  const missing = [!issuer && 'EDUCRED_OIDC_ISSUER', !clientId && 'EDUCRED_OIDC_CLIENT_ID', !clientSecret && 'EDUCRED_OIDC_CLIENT_SECRET'].filter(Boolean);
  if (missing.length > 0 || !issuer || !clientId || !clientSecret) {
    throw new ConfigError(`Invalid configuration:\n  ${missing.join(', ')}: OpenID Connect sign-in needs EDUCRED_OIDC_ISSUER, EDUCRED_OIDC_CLIENT_ID and EDUCRED_OIDC_CLIENT_SECRET together`);
  }
  // Kept as written: an issuer identifier is compared exactly (OpenID Connect Discovery 1.0 §4.3).
  return Object.freeze({ issuer, clientId, clientSecret, roleClaim });
}

// RFC 5322 §3.4: an addr-spec, optionally as `Display Name <addr-spec>`; one address, no line breaks.
const MAIL_FROM = /^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

function mailConfig(smtpUrl: string | undefined, from: string | undefined): Config['mail'] {
  if (!smtpUrl) return undefined;
  if (!from) throw new ConfigError('Invalid configuration:\n  EDUCRED_MAIL_FROM is required with EDUCRED_SMTP_URL: the address claim emails are sent from, e.g. "Badges <badges@program.example>"');
  if (!MAIL_FROM.test(from)) throw new ConfigError('Invalid configuration:\n  EDUCRED_MAIL_FROM: must be one email address, e.g. badges@program.example or "Badges <badges@program.example>"');
  return Object.freeze({ smtpUrl, from });
}

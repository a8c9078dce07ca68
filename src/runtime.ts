// Assembles what the server, the CLI and the tests share from the configuration: the database,
// the issuer key and DID, the document loader, the framework, status lists and the verifier.
// Start-up work happens here once. src/service.ts builds the running service on top of it.
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { claimSecretFile, loadOrCreateClaimSecret } from './claims/claimSecret.js';
import { BUILT_IN_FRAMEWORK, type CompetencyFramework } from './competencies/framework.js';
import type { FrameworkCatalog } from './competencies/frameworkCatalog.js';
import { buildFrameworkCatalog } from './competencies/frameworkSetup.js';
import type { Config } from './config.js';
import { loadSessionSecret } from './console/sessions.js';
import { loadHeldEndorsements } from './endorsements/heldEndorsements.js';
import { dereferenceDidUrl, issuerIdentity, resolveDidKey } from './signing/did.js';
import { createDocumentLoader, loadExtraContexts, type DocumentLoader } from './signing/documentLoader.js';
import { resolveDidJwk } from './signing/didJwk.js';
import { holderDocumentLoader } from './claims/holderDocuments.js';
import { createIssuer, type Issuer } from './signing/issuer.js';
import type { MailDelivery } from './mail/delivery.js';
import { mailDeliveryFromConfig } from './mail/fromConfig.js';
import { createMailTransport } from './mail/transport.js';
import type { SignInMail } from './educatorPage/signIn.js';
import { openIssuerKey } from './signing/issuerKey.js';
import { openStoreKeyRing, recordedKeyFile } from './signing/keyRing.js';
import { useSigningFastPath, type CanonizeOffload } from './signing/suites.js';
import { loadOrCreateRequestKey, requestKeyFile, type RequestSigningKey } from './presentations/requestKey.js';
import { loadFederationEntity, type FederationEntity } from './federation/entityConfiguration.js';
import { createStatusAllocator, type StatusAllocatorWithStats } from './status/allocator.js';
import { createStatusListPublisher } from './status/publisher.js';
import { storeLocation } from './store/engine.js';
import { openStore, type Store } from './store/store.js';
import { createServiceVerifier, createVerifierOnly, guardedFetcherFrom } from './verify/fromConfig.js';
import type { CachingVerifier } from './verify/verifier.js';

export interface Runtime {
  config: Readonly<Config>;
  /** The database (SQLite in the data dir, or PostgreSQL by DATABASE_URL), migrated. */
  store: Store;
  issuer: Issuer;
  framework: CompetencyFramework;
  /** Every loaded framework: the built-in one, EDUCRED_FRAMEWORKS_DIR's, those posted (src/competencies/frameworkSetup.ts). */
  frameworks: FrameworkCatalog;
  logger: Logger;
  claimTtlDays: number;
  /** The claim-link secret (`<data dir>/keys/claim-links.key`, src/claims/claimSecret.ts), never logged. */
  claimSecret: KeyObject;
  /**
   * Status list indexes for every new badge (src/status/), one entry per configured purpose
   * (EDUCRED_STATUS_PURPOSES). Named `status` like the dependency it is, so everything built from
   * the runtime (server, CLI, tests) issues revocable badges. It allocates lazily: nothing is
   * written until the first award.
   */
  status: StatusAllocatorWithStats;
  /** Verifies credentials and presentations under the configured trust policy. */
  verifier: CachingVerifier;
  /** Where the verifier canonicalizes: empty (this thread) until the service lends it its signing pool. */
  verifyOffload: CanonizeOffload;
  /** Resolves wallet holders' DIDs for the exchange: did:key, did:jwk offline; did:web through the guarded fetcher. */
  holderLoader: DocumentLoader;
  /** Claim emails (EDUCRED_SMTP_URL): the server starts the loop; undefined when mail is not configured. */
  mail: MailDelivery | undefined;
  /** Signs the console's CSRF tokens and sign-in transactions (EDUCRED_SESSION_SECRET, or `<data dir>/keys/console-session.key`). */
  sessionSecret: KeyObject;
  /** Signs this verifier's OpenID4VP request objects (src/presentations/requestKey.ts); not an issuer key. */
  requestKey: RequestSigningKey;
  /** Fetches a badge or share link another issuer serves, for the verify page: the guarded fetcher. */
  fetchDocument: (url: string) => Promise<unknown>;
  /** Signs this entity's OpenID Federation configuration (src/federation/entityConfiguration.ts); not an issuer key. */
  federation: FederationEntity;
  /** The educator page's sign-in emails (issue 16): sent directly through SMTP, not the claim outbox. */
  signInMail: SignInMail | undefined;
}

export async function createRuntime(config: Readonly<Config>, logger: Logger): Promise<Runtime> {
  const key = await openIssuerKey(config, logger);
  // A process-wide switch, as the signing workers' own (src/signing/suites.ts).
  useSigningFastPath(config.signingFastPath);

  const store = await openStore(storeLocation(config.databaseUrl, config.databaseFile));
  const extraContexts = loadExtraContexts(config.extraContextsDir);
  let issuer: Issuer | undefined;
  // The issuer resolves its own did:web offline; other DIDs are for the verifier to resolve.
  const resolveDid = async (didUrl: string): Promise<unknown> => {
    if (didUrl.startsWith('did:key:')) return resolveDidKey(didUrl);
    // did:jwk is computed from the DID itself, like did:key (wallet holders: OID4VCI key proofs, the exchange).
    if (didUrl.startsWith('did:jwk:')) return resolveDidJwk(didUrl);
    if (issuer && didUrl.split('#')[0] === issuer.identity.did) {
      // The document as the store has it now, so what a previous key signed still verifies.
      const found = dereferenceDidUrl(await issuer.currentDidDocument(), didUrl);
      if (found) return found;
    }
    throw new Error(`Cannot resolve '${didUrl}' offline`);
  };
  const documentLoader = createDocumentLoader({ resolveDid, extraContexts });
  // Every key of the issuer from the store (the configured one recorded on the first start).
  const keys = await openStoreKeyRing({
    keys: store.issuerKeys,
    configured: key,
    configuredLocation: config.pkcs11 ? { pkcs11Label: config.pkcs11.keyLabel } : { keyFile: recordedKeyFile(config.dataDir, config.keyFile) },
    didWebDomain: config.didWebDomain,
    opening: { dataDir: config.dataDir, pkcs11: config.pkcs11 },
    logger,
  }).catch(async (error: unknown) => {
    await Promise.allSettled([store.close(), key.close()]);
    throw error;
  });
  const identity = issuerIdentity(key.publicKeyMultibase, config.didWebDomain);
  const endorsements = loadHeldEndorsements(config.endorsementsDir, identity.did);
  if (endorsements.length > 0) logger.info({ count: endorsements.length }, 'embedding held endorsements in every badge');
  issuer = createIssuer({
    endorsements,
    key,
    keys,
    suite: config.proofSuite,
    documentLoader,
    name: config.issuerName,
    url: config.issuerUrl,
    didWebDomain: config.didWebDomain,
  });
  const status = createStatusAllocator({ store, baseUrl: config.baseUrl, issuerId: issuer.identity.did, purposes: config.statusPurposes });
  const publisher = createStatusListPublisher({ store, issuer, baseUrl: config.baseUrl });
  const verifyOffload: CanonizeOffload = {};
  const verifier = createServiceVerifier({ config, issuer, publisher, extraContexts, offload: verifyOffload });
  const claimSecret = loadOrCreateClaimSecret(claimSecretFile(config.dataDir), logger);
  const mail = mailDeliveryFromConfig(config.mail, { store, baseUrl: config.baseUrl, claimSecret, claimTtlDays: config.claimTtlDays, logger });
  const frameworks = await buildFrameworkCatalog(store, config.frameworksDir);
  const sessionSecret = loadSessionSecret(config.sessionSecret, config.dataDir, logger);
  // One guarded fetcher for what the runtime fetches: holders' did:web documents (the claim
  // exchange) and other issuers' badges or share links (the verify page).
  const fetcher = guardedFetcherFrom(config);
  const holderLoader = holderDocumentLoader(documentLoader, fetcher.fetchJson);
  const requestKey = loadOrCreateRequestKey(requestKeyFile(config.dataDir), logger);
  const fetchDocument = fetcher.fetchJson;
  const federation = await loadFederationEntity(config.dataDir, config.federationAuthorityHints, logger);
  const signInMail = config.mail ? { transport: createMailTransport(config.mail.smtpUrl), from: config.mail.from } : undefined;
  return { config, store, issuer, framework: BUILT_IN_FRAMEWORK, frameworks, logger, claimTtlDays: config.claimTtlDays, claimSecret, status, verifier, verifyOffload, mail, sessionSecret, holderLoader, requestKey, fetchDocument, federation, signInMail };
}

/** A verifier-only instance (EDUCRED_ROLE=verifier): no issuer key is opened or generated. */
export interface VerifierRuntime {
  config: Readonly<Config>;
  store: Store;
  logger: Logger;
  verifier: CachingVerifier;
  requestKey: RequestSigningKey;
  fetchDocument: (url: string) => Promise<unknown>;
  federation: FederationEntity;
}

export async function createVerifierRuntime(config: Readonly<Config>, logger: Logger): Promise<VerifierRuntime> {
  const store = await openStore(storeLocation(config.databaseUrl, config.databaseFile));
  try {
    const verifier = createVerifierOnly({ config, extraContexts: loadExtraContexts(config.extraContextsDir) });
    const requestKey = loadOrCreateRequestKey(requestKeyFile(config.dataDir), logger);
    const federation = await loadFederationEntity(config.dataDir, config.federationAuthorityHints, logger);
    return { config, store, logger, verifier, requestKey, fetchDocument: guardedFetcherFrom(config).fetchJson, federation };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * A verifier-only instance's tokens: EDUCRED_ADMIN_TOKEN and EDUCRED_VERIFY_TOKEN when set
 * (stored hashed); nothing is generated or printed. Without either, tokens come from the CLI
 * (`educred tokens create --scopes verify`), which needs only the database.
 */
export async function ensureVerifierTokens(store: Store, config: Pick<Config, 'adminToken' | 'verifyToken'>): Promise<void> {
  if (config.adminToken) await store.tokens.ensureEnvAdminToken(config.adminToken);
  if (config.verifyToken) await store.tokens.ensureEnvVerifyToken(config.verifyToken);
}

/**
 * Makes sure an admin token exists. A token from the environment is stored (hashed) and
 * replaces an earlier environment token (revoked, audited); with none, the first start
 * generates one and returns it so the caller can print it once.
 */
export async function ensureAdminToken(store: Store, configured: string | undefined): Promise<string | undefined> {
  if (configured) {
    await store.tokens.ensureEnvAdminToken(configured);
    return undefined;
  }
  return store.tokens.createFirstAdminToken();
}

/** Closes what a runtime opened: unused leased status indexes go back, then the database closes. */
export async function closeRuntime(runtime: Runtime): Promise<void> {
  await runtime.status.close().catch((error: unknown) => runtime.logger.warn({ err: error }, 'leased status indexes not returned'));
  await runtime.store.close();
  await runtime.issuer.keys.close();
}

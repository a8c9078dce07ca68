// What the HTTP layer is given: every route module receives these, nothing is global.
import type { KeyObject } from 'node:crypto';
import type { Context } from 'hono';
import type { Logger } from 'pino';
import type { BatchRunner } from '../awards/batchRunner.js';
import type { ImportRunner } from '../educators/importRunner.js';
import type { StatusAllocator } from '../awards/issueAward.js';
import type { CompetencyFramework } from '../competencies/framework.js';
import type { OidcConfig } from '../config.js';
import type { FrameworkCatalog } from '../competencies/frameworkCatalog.js';
import type { MailDelivery } from '../mail/delivery.js';
import type { SignInMail } from '../educatorPage/signIn.js';
import type { DocumentLoader } from '../signing/documentLoader.js';
import type { RequestSigningKey } from '../presentations/requestKey.js';
import type { FederationEntity } from '../federation/entityConfiguration.js';
import type { Issuer } from '../signing/issuer.js';
import type { GroupCommitter } from '../awards/groupCommit.js';
import type { Store } from '../store/store.js';
import type { Verifier } from '../verify/types.js';

export interface AppDeps {
  store: Store;
  issuer: Issuer;
  framework: CompetencyFramework;
  /** Every loaded framework (absent: the built-in one alone); mastery records and GET /frameworks read it. */
  frameworks?: FrameworkCatalog | undefined;
  baseUrl: string;
  bodyLimit: number;
  logger: Logger;
  status?: StatusAllocator | undefined;
  /** The clock awards are dated by (and observation dates judged against); tests pin it. */
  now?: (() => Date) | undefined;
  /** The secret claim-link tokens are derived from (src/claims/claimSecret.ts). */
  claimSecret: KeyObject;
  /** Lifetime of claim links in days (default 30). */
  claimTtlDays?: number | undefined;
  /** Resolves wallet holders' DIDs in the exchange (did:key, did:jwk offline; did:web guarded). */
  holderLoader?: DocumentLoader | undefined;
  /** Whether OID4VCI pre-authorized codes need a transaction code (EDUCRED_OID4VCI_TX_CODE; default off). */
  oid4vciTxCode?: 'off' | 'required' | undefined;
  /** Runs bulk award batches; the server builds it on the signing pool (absent: one per app, signing in-thread). */
  batches?: BatchRunner | undefined;
  /** Runs educator and observation CSV imports in the background (the server's, resumed at start; absent: one per app). */
  imports?: ImportRunner | undefined;
  /** Single awards and VC-API issues share commits through it (the server's, src/issuance.ts); absent, each commits alone. */
  committer?: GroupCommitter | undefined;
  /** Size limit of a POST /awards/batch upload in bytes (default 32 MiB); other routes keep `bodyLimit`. */
  batchBodyLimit?: number | undefined;
  /** Batches up to this many rows are answered when done (default 100); larger ones get 202. */
  batchSyncRows?: number | undefined;
  /** Requests per minute per client on the public verify and claim routes (absent or 0: no limit). */
  rateLimitPerMinute?: number | undefined;
  /** Who a rate-limited request counts against (default: the peer address). */
  rateLimitClientKey?: ((c: Context) => string) | undefined;
  /** Verifies credentials and presentations under this verifier's trust policy (src/verify/). */
  verifier: Verifier;
  /** Sends claim emails (`notify`); absent when EDUCRED_SMTP_URL is not configured. */
  mail?: MailDelivery | undefined;
  /** Signs the console's CSRF tokens and sign-in transactions (absent: a secret of this app alone). */
  sessionSecret?: KeyObject | undefined;
  /** The console's OpenID Connect sign-in (absent: sign-in with an API token). */
  oidc?: OidcConfig | undefined;
  /** Signs OpenID4VP request objects (presentation requests); absent: requests offer VC-API only. */
  requestKey?: RequestSigningKey | undefined;
  /** Fetches another issuer's badge or share link for the verify page (the guarded fetcher); absent: only own badges open. */
  fetchDocument?: ((url: string) => Promise<unknown>) | undefined;
  /** Signs the OpenID Federation Entity Configuration; absent: /.well-known/openid-federation is not served. */
  federation?: FederationEntity | undefined;
  /** Sends the educator page's sign-in links straight through SMTP (issue 16); absent when EDUCRED_SMTP_URL is not configured. */
  signInMail?: SignInMail | undefined;
}

/** What the verifier's routes need: a verifier-only instance (EDUCRED_ROLE=verifier) has no issuer, framework or claim secret. */
export type VerifierDeps = Pick<AppDeps, 'store' | 'baseUrl' | 'bodyLimit' | 'logger' | 'verifier' | 'requestKey' | 'fetchDocument' | 'federation' | 'now' | 'rateLimitPerMinute' | 'rateLimitClientKey'>;

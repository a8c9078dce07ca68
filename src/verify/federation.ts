// OpenID Federation 1.0 as a trust source a verifier chooses: an issuer is trusted when its
// entity (the one its DID names) has a valid trust chain to a trust anchor the policy lists with
// a pinned JWKS. Everything in a chain is a signed JWT (`typ: entity-statement+jwt`, §3): the
// leaf's Entity Configuration (self-signed, at `<entity id>/.well-known/openid-federation`, §9),
// then one Subordinate Statement per superior (fetched from its `federation_fetch_endpoint`
// with `?sub=`, §8.1), the last one issued by the trust anchor.
//
// Where the issuer's entity is found: a did:web DID names a web origin (and path), and that
// URL is the entity identifier (did:web §3.2 maps the DID to that origin; OpenID Federation §9
// appends the well-known path to the entity identifier). For other DIDs (did:key) the policy
// lists candidate entity identifiers (`entities`). Either way the leaf's Entity Configuration
// must name the very DID in `metadata.openid_credential_issuer.issuer_did` (an educred
// extension parameter, §5: "additional metadata parameters MAY be defined"), so a federation
// member vouches only for the DID it claims, and a domain's DID is not trusted by accident.
//
// Validation (§10.2, "Validating a Trust Chain"): every statement's typ, alg (no `none`, no
// MAC), kid, iat and exp; ES[0] is self-signed (iss = sub) and verifies with its own jwks; for
// each j, ES[j].iss = ES[j+1].sub and ES[j] verifies with a key in ES[j+1].jwks; the last
// statement is issued by a configured trust anchor and verifies with the anchor's pinned keys
// (never keys fetched from the network). The chain expires with its earliest `exp` (§10.4).
// Fail closed: `crit` or `metadata_policy_crit` (which we do not implement) refuse a chain;
// `constraints.max_path_length` is enforced and any other constraint refuses the chain;
// metadata policy operators on `issuer_did` other than `value` and `one_of` refuse the chain
// (policies on other parameters do not change what we read). Trust marks are not read.
//
// Network: through the guarded fetcher only, each statement at most 64 KiB, at most 12 fetches
// and 6 statements per chain, loops in authority_hints refused; a resolved chain is cached until
// its expiry (at most an hour, so a removed entity is noticed), a failure for five minutes.
// A pinned file of saved chains (§4.3's `trust_chain` form: an array of JWTs, leaf first) gives
// the same checks offline.
import { readFileSync } from 'node:fs';
import { LRUCache } from 'lru-cache';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { z } from 'zod';

export const ENTITY_STATEMENT_TYPE = 'entity-statement+jwt';
export const ENTITY_STATEMENT_MEDIA_TYPE = 'application/entity-statement+jwt';
export const FEDERATION_WELL_KNOWN = '/.well-known/openid-federation';

export const FEDERATION_LIMITS = {
  /** Bytes of one statement (an entity configuration with metadata is a few KB). */
  statementBytes: 64 * 1024,
  /** Statements in a chain, the leaf's configuration included: leaf, up to four intermediates, the anchor's statement. */
  chainLength: 6,
  /** Fetches while resolving one entity's chain (configurations and subordinate statements). */
  fetchesPerResolution: 12,
  /** Superiors tried per entity (its authority_hints beyond these are ignored). */
  hintsPerEntity: 4,
  /** Resolutions kept (issuers seen). */
  cachedEntities: 1000,
  /** A good chain is reused until its exp, at most this long. */
  maxCacheMs: 60 * 60_000,
  /** A failure is remembered this long (an attacker's DID is not resolved at every request). */
  failureCacheMs: 5 * 60_000,
  /** Clock skew allowed on iat and exp (seconds). */
  clockToleranceSeconds: 30,
} as const;

const ALGORITHMS = ['EdDSA', 'Ed25519', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'];

const httpsUrl = z.url({ protocol: /^https$/ }).refine((u) => !u.includes('#') && !u.includes('?'), 'an entity identifier has no query or fragment');
const JwksSchema = z.strictObject({ keys: z.array(z.looseObject({ kty: z.string().min(1) })).min(1).max(16) });

export const FederationSourceSchema = z
  .strictObject({
    name: z.string().min(1),
    format: z.literal('openid-federation'),
    /** The anchors this verifier accepts, each with its keys pinned (obtained out of band, as §10.2 requires). */
    trustAnchors: z.array(z.strictObject({ entityId: httpsUrl, jwks: JwksSchema, name: z.string().min(1).optional() })).min(1).max(16),
    /** Entity identifiers to look in for issuers whose DID names no web origin (did:key); did:web issuers are found by their domain. */
    entities: z.array(httpsUrl).max(100).optional(),
    /** Saved trust chains (a JSON array of chains, each an array of JWTs, leaf first): read once, no network. */
    file: z.string().min(1).optional(),
  })
  .refine((s) => s.file === undefined || s.entities === undefined, { message: 'a pinned "file" of chains is used alone: drop "entities"' });

export type FederationSource = z.infer<typeof FederationSourceSchema>;

/** What made an issuer trusted through a federation (or why not). */
export interface FederationListing {
  issuer: string;
  name?: string | undefined;
  /** The source's name in the policy. */
  registry: string;
  /** The issuer's entity and the anchor its chain ends at. */
  entity: string;
  trustAnchor: string;
  /** When the chain expires (earliest exp), ISO 8601. */
  expiresAt: string;
  source: string;
}

export class FederationError extends Error {
  override readonly name = 'FederationError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type FetchText = (url: string, init: { types: readonly string[]; maxBytes?: number | undefined }) => Promise<string>;

interface Statement {
  jwt: string;
  payload: JWTPayload & Record<string, unknown>;
  iss: string;
  sub: string;
  jwks: JSONWebKeySet | undefined;
}

const fail = (code: string, message: string): never => {
  throw new FederationError(code, message);
};

/** Decodes a statement and checks what needs no key: typ, alg, kid, iss/sub, iat/exp, crit (§3.2 steps 1–9). */
function decodeStatement(jwt: string, now: Date): Statement {
  if (typeof jwt !== 'string' || jwt.length > FEDERATION_LIMITS.statementBytes) fail('federation_statement_invalid', 'An entity statement is not a JWT of at most 64 KiB');
  let header: ReturnType<typeof decodeProtectedHeader>;
  let payload: JWTPayload & Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jwt);
    payload = decodeJwt(jwt) as JWTPayload & Record<string, unknown>;
  } catch {
    return fail('federation_statement_invalid', 'An entity statement is not a well-formed JWT');
  }
  if (header.typ !== ENTITY_STATEMENT_TYPE) fail('federation_statement_invalid', `An entity statement has typ ${String(header.typ)}, not ${ENTITY_STATEMENT_TYPE}`);
  if (typeof header.alg !== 'string' || !ALGORITHMS.includes(header.alg)) fail('federation_statement_invalid', `An entity statement is signed with ${String(header.alg)}, which is not accepted`);
  if (typeof header.kid !== 'string' || header.kid === '') fail('federation_statement_invalid', 'An entity statement has no kid in its header (§3.1 requires one)');
  if (header.crit !== undefined) fail('federation_statement_invalid', 'An entity statement has header parameters marked critical (crit) that are not understood');
  const { iss, sub, iat, exp } = payload;
  if (typeof iss !== 'string' || typeof sub !== 'string') return fail('federation_statement_invalid', 'An entity statement lacks iss or sub');
  if (typeof iat !== 'number' || typeof exp !== 'number') fail('federation_statement_invalid', `The statement by ${iss} about ${sub} lacks iat or exp`);
  const seconds = now.getTime() / 1000;
  if ((exp as number) <= seconds - FEDERATION_LIMITS.clockToleranceSeconds) fail('federation_statement_expired', `The statement by ${iss} about ${sub} expired at ${new Date((exp as number) * 1000).toISOString()}`);
  if ((iat as number) > seconds + FEDERATION_LIMITS.clockToleranceSeconds) fail('federation_statement_invalid', `The statement by ${iss} about ${sub} is issued in the future`);
  if (payload.crit !== undefined || payload.metadata_policy_crit !== undefined) fail('federation_statement_invalid', `The statement by ${iss} about ${sub} names critical claims or policy operators (crit, metadata_policy_crit) this verifier does not implement`);
  const jwks = payload.jwks === undefined ? undefined : JwksSchema.safeParse(payload.jwks).success ? (payload.jwks as JSONWebKeySet) : fail('federation_statement_invalid', `The statement by ${iss} about ${sub} has a malformed jwks`);
  return { jwt, payload, iss, sub, jwks };
}

async function verifySignature(statement: Statement, jwks: JSONWebKeySet, whose: string, now: Date): Promise<void> {
  try {
    await jwtVerify(statement.jwt, createLocalJWKSet(jwks), { typ: ENTITY_STATEMENT_TYPE, algorithms: ALGORITHMS, currentDate: now, clockTolerance: FEDERATION_LIMITS.clockToleranceSeconds });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_JWT_EXPIRED') fail('federation_statement_expired', `The statement by ${statement.iss} about ${statement.sub} has expired`);
    fail('federation_signature_invalid', `The statement by ${statement.iss} about ${statement.sub} does not verify with ${whose}`);
  }
}

export interface VerifiedChain {
  entity: string;
  trustAnchor: string;
  anchorName?: string | undefined;
  /** The leaf's metadata as its configuration states it. */
  metadata: Record<string, unknown>;
  /** The DIDs the leaf's openid_credential_issuer metadata names (after the superiors' policies). */
  issuerDid: string | undefined;
  expiresAt: number;
}

type Anchor = FederationSource['trustAnchors'][number];

/**
 * Validates a trust chain (§10.2): `[leaf configuration, subordinate statement, …, (anchor's
 * configuration)]`, the last subordinate statement issued by one of `anchors`.
 */
export async function verifyTrustChain(jwts: readonly string[], anchors: readonly Anchor[], now = new Date()): Promise<VerifiedChain> {
  if (!Array.isArray(jwts) || jwts.length < 2) fail('federation_chain_invalid', 'A trust chain needs the leaf configuration and at least one subordinate statement');
  let statements = jwts.map((jwt) => decodeStatement(jwt, now));
  // §4.3: the anchor's own configuration may close the chain; it is checked with the pinned keys and dropped.
  const last = statements[statements.length - 1] as Statement;
  if (statements.length > 2 && last.iss === last.sub) {
    const anchor = anchors.find((a) => a.entityId === last.iss) ?? fail('federation_unknown_anchor', `The chain ends at ${last.iss}, which is not a trust anchor this verifier accepts`);
    await verifySignature(last, anchor.jwks as JSONWebKeySet, `the pinned keys of the trust anchor ${anchor.entityId}`, now);
    statements = statements.slice(0, -1);
  }
  if (statements.length > FEDERATION_LIMITS.chainLength) fail('federation_chain_too_long', `The trust chain has ${statements.length} statements, more than the ${FEDERATION_LIMITS.chainLength} accepted`);
  const leaf = statements[0] as Statement;
  if (leaf.iss !== leaf.sub) fail('federation_chain_invalid', `The chain does not start with an entity configuration (iss ${leaf.iss} ≠ sub ${leaf.sub})`);
  if (!leaf.jwks) return fail('federation_statement_invalid', `The entity configuration of ${leaf.sub} has no jwks`);
  await verifySignature(leaf, leaf.jwks, `its own keys`, now);
  const seen = new Set([leaf.sub]);
  for (let j = 1; j < statements.length; j++) {
    const statement = statements[j] as Statement;
    const below = statements[j - 1] as Statement;
    // §10.2: ES[j-1].iss = ES[j].sub — a subordinate statement about someone else breaks the chain.
    if (statement.sub !== below.iss) fail('federation_subject_mismatch', `The statement by ${statement.iss} is about ${statement.sub}, not about ${below.iss}`);
    if (statement.iss === statement.sub) fail('federation_chain_invalid', `The chain has an entity configuration of ${statement.iss} where a subordinate statement belongs`);
    if (seen.has(statement.iss)) fail('federation_loop', `The trust chain passes ${statement.iss} twice (a loop in authority_hints)`);
    seen.add(statement.iss);
    if (!statement.jwks) fail('federation_statement_invalid', `The statement by ${statement.iss} about ${statement.sub} has no jwks`);
    await verifySignature(below, statement.jwks as JSONWebKeySet, `the keys ${statement.iss} states for ${statement.sub}`, now);
    checkConstraints(statement, j - 1);
  }
  const top = statements[statements.length - 1] as Statement;
  const anchor = anchors.find((a) => a.entityId === top.iss) ?? fail('federation_unknown_anchor', `The chain ends at ${top.iss}, which is not a trust anchor this verifier accepts`);
  await verifySignature(top, anchor.jwks as JSONWebKeySet, `the pinned keys of the trust anchor ${anchor.entityId}`, now);

  const metadata = typeof leaf.payload.metadata === 'object' && leaf.payload.metadata !== null ? (leaf.payload.metadata as Record<string, unknown>) : {};
  const vci = metadata.openid_credential_issuer as Record<string, unknown> | undefined;
  let issuerDid = typeof vci?.issuer_did === 'string' ? vci.issuer_did : undefined;
  // Superiors' policies, anchor first (§6.1.4 merges them top down): only those on issuer_did matter here.
  for (const statement of statements.slice(1).reverse()) issuerDid = applyIssuerDidPolicy(statement, issuerDid);
  const expiresAt = Math.min(...jwts.map((jwt) => (decodeJwt(jwt).exp as number) * 1000));
  return { entity: leaf.sub, trustAnchor: anchor.entityId, anchorName: anchor.name, metadata, issuerDid, expiresAt };
}

/** §6.2 constraints of a subordinate statement; `below` intermediates lie between its subject and the leaf. */
function checkConstraints(statement: Statement, below: number): void {
  const constraints = statement.payload.constraints;
  if (constraints === undefined) return;
  if (typeof constraints !== 'object' || constraints === null) return fail('federation_statement_invalid', `The statement by ${statement.iss} has malformed constraints`);
  for (const [name, value] of Object.entries(constraints)) {
    if (name === 'max_path_length') {
      if (typeof value !== 'number' || below > value) fail('federation_constraint', `${statement.iss} allows at most ${String(value)} intermediates below ${statement.sub}; the chain has ${below}`);
    } else fail('federation_constraint', `The statement by ${statement.iss} sets the constraint ${name}, which this verifier does not implement (refused rather than ignored)`);
  }
}

function applyIssuerDidPolicy(statement: Statement, value: string | undefined): string | undefined {
  const policy = (statement.payload.metadata_policy as Record<string, Record<string, Record<string, unknown>>> | undefined)?.openid_credential_issuer?.issuer_did;
  if (policy === undefined) return value;
  let result = value;
  for (const [operator, operand] of Object.entries(policy)) {
    if (operator === 'value') result = typeof operand === 'string' ? operand : undefined;
    else if (operator === 'one_of') {
      if (!Array.isArray(operand) || result === undefined || !operand.includes(result)) fail('federation_policy', `${statement.iss}'s metadata policy allows issuer_did only one of ${JSON.stringify(operand)}`);
    } else if (operator !== 'essential') fail('federation_policy', `${statement.iss}'s metadata policy applies ${operator} to issuer_did, which this verifier does not implement`);
  }
  return result;
}

/** The entity identifier a did:web DID names (did:web §3.2: the domain, percent-decoded port, path segments). */
export function entityIdOfDidWeb(did: string): string | undefined {
  const match = /^did:web:([^:#?/]+)((?::[^:#?/]+)*)$/.exec(did);
  if (!match) return undefined;
  const host = decodeURIComponent(match[1] as string);
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host)) return undefined;
  const path = (match[2] ?? '').split(':').filter(Boolean).map(decodeURIComponent);
  return `https://${host}${path.length ? `/${path.join('/')}` : ''}`;
}

const wellKnownOf = (entityId: string): string => `${entityId.replace(/\/$/, '')}${FEDERATION_WELL_KNOWN}`;

type Resolution = { chain: VerifiedChain; jwts: string[] } | { error: FederationError };

/** One federation source of a policy: resolves issuers to entities with chains, cached. */
export class FederationTrust {
  private readonly cache = new LRUCache<string, { resolution: Resolution; until: number }>({ max: FEDERATION_LIMITS.cachedEntities });
  private readonly inflight = new Map<string, Promise<Resolution>>();
  private pinned: string[][] | undefined;

  constructor(
    private readonly source: FederationSource,
    private readonly fetchText: FetchText | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The listing that makes `issuer` trusted, or undefined with the reason why not. */
  async lookup(issuer: string): Promise<{ listing?: FederationListing; reason?: string }> {
    const candidates = this.source.file !== undefined ? ['pinned'] : [entityIdOfDidWeb(issuer), ...(this.source.entities ?? [])].filter((e): e is string => e !== undefined);
    if (candidates.length === 0) return { reason: `${this.source.name}: the issuer's DID names no web origin and the policy lists no entities to look in` };
    const reasons: string[] = [];
    for (const candidate of [...new Set(candidates)]) {
      const resolutions = candidate === 'pinned' ? await this.pinnedResolutions() : [await this.resolve(candidate)];
      for (const resolution of resolutions) {
        if ('error' in resolution) {
          reasons.push(resolution.error.message);
          continue;
        }
        const { chain } = resolution;
        if (chain.expiresAt <= this.now()) {
          reasons.push(`the trust chain of ${chain.entity} has expired`);
          continue;
        }
        if (chain.issuerDid !== issuer) {
          if (candidate !== 'pinned') reasons.push(`the entity ${chain.entity} does not name ${issuer} as its issuer DID (openid_credential_issuer.issuer_did)`);
          continue;
        }
        const vci = chain.metadata.federation_entity as { organization_name?: unknown } | undefined;
        return {
          listing: {
            issuer,
            name: typeof vci?.organization_name === 'string' ? vci.organization_name : undefined,
            registry: this.source.name,
            entity: chain.entity,
            trustAnchor: chain.anchorName ? `${chain.anchorName} (${chain.trustAnchor})` : chain.trustAnchor,
            expiresAt: new Date(chain.expiresAt).toISOString(),
            source: this.source.file ?? chain.entity,
          },
        };
      }
    }
    return { reason: reasons.length ? `${this.source.name}: ${reasons.join('; ')}` : `${this.source.name}: no saved chain names ${issuer}` };
  }

  private async pinnedResolutions(): Promise<Resolution[]> {
    try {
      if (this.pinned === undefined) {
        const parsed = JSON.parse(readFileSync(this.source.file as string, 'utf8')) as unknown;
        const chains = Array.isArray(parsed) && parsed.every((c) => typeof c === 'string') ? [parsed] : parsed;
        if (!Array.isArray(chains) || !chains.every((c) => Array.isArray(c) && c.every((j) => typeof j === 'string'))) throw new FederationError('federation_chain_invalid', `${this.source.file} is not a saved trust chain (an array of JWTs) or a list of them`);
        this.pinned = chains as string[][];
      }
    } catch (error) {
      return [{ error: error instanceof FederationError ? error : new FederationError('federation_chain_invalid', `Cannot read the saved trust chains ${this.source.file}`) }];
    }
    const now = new Date(this.now());
    return Promise.all(
      this.pinned.map(async (jwts) => {
        try {
          return { chain: await verifyTrustChain(jwts, this.source.trustAnchors, now), jwts };
        } catch (error) {
          return { error: error instanceof FederationError ? error : new FederationError('federation_chain_invalid', (error as Error).message) };
        }
      }),
    );
  }

  /** The chain of one entity, from the cache or resolved (one resolution at a time per entity). */
  async resolve(entityId: string): Promise<Resolution> {
    const cached = this.cache.get(entityId);
    if (cached && cached.until > this.now()) return cached.resolution;
    let running = this.inflight.get(entityId);
    if (!running) {
      running = this.resolveFresh(entityId).finally(() => this.inflight.delete(entityId));
      this.inflight.set(entityId, running);
    }
    return running;
  }

  private async resolveFresh(entityId: string): Promise<Resolution> {
    let resolution: Resolution;
    try {
      const jwts = await this.collect(entityId);
      resolution = { chain: await verifyTrustChain(jwts, this.source.trustAnchors, new Date(this.now())), jwts };
    } catch (error) {
      resolution = { error: error instanceof FederationError ? error : new FederationError('federation_fetch_failed', `Resolving ${entityId} failed: ${(error as Error).message}`) };
    }
    const until = 'chain' in resolution ? Math.min(resolution.chain.expiresAt, this.now() + FEDERATION_LIMITS.maxCacheMs) : this.now() + FEDERATION_LIMITS.failureCacheMs;
    this.cache.set(entityId, { resolution, until });
    return resolution;
  }

  /**
   * Builds `[leaf configuration, subordinate statements…]` by walking authority_hints up to a
   * configured anchor (§10.1), depth first, the first complete path winning. Signatures are
   * checked afterwards on the whole chain; here each superior's configuration is checked with
   * its own keys only to trust its fetch endpoint.
   */
  private async collect(entityId: string): Promise<string[]> {
    if (!this.fetchText) fail('federation_fetch_failed', 'This verifier has no fetcher for federation statements');
    let fetches = 0;
    const get = async (url: string): Promise<string> => {
      if (++fetches > FEDERATION_LIMITS.fetchesPerResolution) fail('federation_chain_too_long', `Resolving ${entityId} needed more than ${FEDERATION_LIMITS.fetchesPerResolution} fetches`);
      try {
        return (await (this.fetchText as FetchText)(url, { types: [ENTITY_STATEMENT_MEDIA_TYPE], maxBytes: FEDERATION_LIMITS.statementBytes })).trim();
      } catch (error) {
        return fail('federation_fetch_failed', (error as Error).message);
      }
    };
    const now = new Date(this.now());
    const leafJwt = await get(wellKnownOf(entityId));
    const leaf = decodeStatement(leafJwt, now);
    if (leaf.iss !== entityId || leaf.sub !== entityId) fail('federation_chain_invalid', `The entity configuration at ${wellKnownOf(entityId)} is about ${leaf.sub}, not ${entityId}`);
    const anchors = new Set(this.source.trustAnchors.map((a) => a.entityId));
    let lastError: FederationError | undefined;

    const climb = async (subject: Statement, path: string[], visited: Set<string>): Promise<string[] | undefined> => {
      const hints = subject.payload.authority_hints;
      if (!Array.isArray(hints) || hints.length === 0) {
        lastError = new FederationError('federation_unknown_anchor', `${subject.sub} names no superior (authority_hints) and is not a trust anchor this verifier accepts`);
        return undefined;
      }
      for (const hint of hints.slice(0, FEDERATION_LIMITS.hintsPerEntity)) {
        try {
          if (typeof hint !== 'string' || !httpsUrl.safeParse(hint).success) fail('federation_chain_invalid', `${subject.sub} names a superior that is not an https entity identifier`);
          if (visited.has(hint)) fail('federation_loop', `The authority_hints loop back to ${hint}`);
          if (path.length + 1 > FEDERATION_LIMITS.chainLength) fail('federation_chain_too_long', `No trust anchor within ${FEDERATION_LIMITS.chainLength} statements of ${entityId}`);
          const superiorJwt = await get(wellKnownOf(hint));
          const superior = decodeStatement(superiorJwt, now);
          if (superior.iss !== hint || superior.sub !== hint) fail('federation_chain_invalid', `The entity configuration at ${wellKnownOf(hint)} is about ${superior.sub}, not ${hint}`);
          const anchor = this.source.trustAnchors.find((a) => a.entityId === hint);
          // An anchor's configuration is read with its pinned keys; an intermediate's with its own.
          await verifySignature(superior, (anchor?.jwks as JSONWebKeySet | undefined) ?? superior.jwks ?? fail('federation_statement_invalid', `${hint} publishes no jwks`), anchor ? `the pinned keys of the trust anchor ${hint}` : 'its own keys', now);
          const endpoint = (superior.payload.metadata as { federation_entity?: { federation_fetch_endpoint?: unknown } } | undefined)?.federation_entity?.federation_fetch_endpoint;
          if (typeof endpoint !== 'string' || !httpsUrl.safeParse(endpoint.split('?')[0]).success) fail('federation_chain_invalid', `${hint} publishes no https federation_fetch_endpoint`);
          const fetchUrl = new URL(endpoint as string);
          fetchUrl.searchParams.set('sub', subject.sub);
          const statementJwt = await get(fetchUrl.href);
          const statement = decodeStatement(statementJwt, now);
          if (statement.iss !== hint) fail('federation_chain_invalid', `${hint}'s fetch endpoint answered a statement issued by ${statement.iss}`);
          if (statement.sub !== subject.sub) fail('federation_subject_mismatch', `The statement by ${hint} is about ${statement.sub}, not about ${subject.sub}`);
          const next = [...path, statementJwt];
          if (anchors.has(hint)) return next;
          const found = await climb(superior, next, new Set([...visited, hint]));
          if (found) return found;
        } catch (error) {
          if (!(error instanceof FederationError)) throw error;
          lastError = error;
          if (error.code === 'federation_chain_too_long' && fetches > FEDERATION_LIMITS.fetchesPerResolution) throw error;
        }
      }
      return undefined;
    };
    const chain = await climb(leaf, [leafJwt], new Set([entityId]));
    if (!chain) throw lastError ?? new FederationError('federation_unknown_anchor', `No trust chain from ${entityId} to a trust anchor this verifier accepts`);
    return chain;
  }
}

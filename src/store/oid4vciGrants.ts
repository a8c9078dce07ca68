// The OID4VCI grants repository: a claim link's pre-authorized code grant (OID4VCI 1.0 §4.1.1,
// §6.1) and the access token it was exchanged for. Only SHA-256 hashes of the code and the
// token are kept, so a copy of the database can neither redeem a code nor fetch a credential.
import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Oid4vciGrantsTable } from './schema.js';
import type { Executor } from './engine.js';

export interface Oid4vciGrantRecord {
  codeHash: string;
  linkTokenHash: string;
  createdAt: string;
  /** The link's own expiry: the code expires with the link. */
  expiresAt: string;
  txCodeFailures: number;
  redeemedAt: string | null;
  accessExpiresAt: string | null;
}

export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

const fromRow = (r: Selectable<Oid4vciGrantsTable>): Oid4vciGrantRecord => ({
  codeHash: r.code_hash,
  linkTokenHash: r.link_token_hash,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  txCodeFailures: Number(r.tx_code_failures),
  redeemedAt: r.redeemed_at,
  accessExpiresAt: r.access_expires_at,
});

const COLUMNS = ['code_hash', 'link_token_hash', 'created_at', 'expires_at', 'tx_code_failures', 'redeemed_at', 'access_token_hash', 'access_expires_at'] as const;

export class Oid4vciGrantsRepository {
  constructor(private readonly q: Executor) {}

  /** Records the link's grant once (a second offer fetch finds the first). */
  async ensure(grant: { code: string; linkTokenHash: string; createdAt: Date; expiresAt: string }): Promise<Oid4vciGrantRecord> {
    await this.q
      .insertInto('oid4vci_grants')
      .values({ code_hash: hashSecret(grant.code), link_token_hash: grant.linkTokenHash, created_at: grant.createdAt.toISOString(), expires_at: grant.expiresAt })
      .onConflict((oc) => oc.doNothing())
      .execute();
    // One grant per link (UNIQUE): the one stored first, whatever this call brought.
    const row = await this.q.selectFrom('oid4vci_grants').select(COLUMNS).where('link_token_hash', '=', grant.linkTokenHash).executeTakeFirst();
    if (!row) throw new Error('The OID4VCI grant was not stored');
    return fromRow(row);
  }

  async findByCode(code: string): Promise<Oid4vciGrantRecord | undefined> {
    const row = await this.q.selectFrom('oid4vci_grants').select(COLUMNS).where('code_hash', '=', hashSecret(code)).executeTakeFirst();
    return row && fromRow(row);
  }

  async findByAccessToken(token: string): Promise<Oid4vciGrantRecord | undefined> {
    const row = await this.q.selectFrom('oid4vci_grants').select(COLUMNS).where('access_token_hash', '=', hashSecret(token)).executeTakeFirst();
    return row && fromRow(row);
  }

  /** Counts a wrong transaction code; returns the failures so far. */
  async countTxCodeFailure(codeHash: string): Promise<number> {
    await this.q
      .updateTable('oid4vci_grants')
      .set((eb) => ({ tx_code_failures: eb('tx_code_failures', '+', 1) }))
      .where('code_hash', '=', codeHash)
      .execute();
    const row = await this.q.selectFrom('oid4vci_grants').select('tx_code_failures').where('code_hash', '=', codeHash).executeTakeFirst();
    return Number(row?.tx_code_failures ?? 0);
  }

  /**
   * Redeems the code for an access token: a compare-and-set on `redeemed_at`, so of two
   * concurrent token requests only one gets a token. False when it was redeemed or expired.
   */
  async redeem(codeHash: string, accessToken: string, at: Date, accessExpiresAt: Date): Promise<boolean> {
    const result = await this.q
      .updateTable('oid4vci_grants')
      .set({ redeemed_at: at.toISOString(), access_token_hash: hashSecret(accessToken), access_expires_at: accessExpiresAt.toISOString() })
      .where('code_hash', '=', codeHash)
      .where('redeemed_at', 'is', null)
      .where('expires_at', '>', at.toISOString())
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}

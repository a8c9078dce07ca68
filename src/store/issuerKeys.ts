// The issuer keys repository: every key an issuer has signed with, by its verification method
// id, with where its private half lives (a key file path relative to the data dir, or a PKCS#11
// label; never the key itself), its state (current, previous, revoked) and its times. Each change
// bumps the DID's key-set version in the same transaction, which is what other nodes poll.
import { sql, type Selectable } from 'kysely';
import { atomic, lockForTransaction, seqOf, type Engine, type Executor } from './engine.js';
import type { IssuerKeysTable } from './schema.js';

export type IssuerKeyState = 'current' | 'previous' | 'revoked';

/** Where a key's private half lives: a key file (relative to the data dir when under it) or a token label. */
export type KeyLocation = { keyFile: string } | { pkcs11Label: string };

export interface IssuerKeyRecord {
  /** The verification method id proofs name: `<did>#<publicKeyMultibase>`. */
  id: string;
  did: string;
  publicKeyMultibase: string;
  location: KeyLocation;
  state: IssuerKeyState;
  createdAt: string;
  /** When it stopped being the signing key. */
  rotatedAt: string | null;
  /** When it was retired (marked revoked). */
  retiredAt: string | null;
  /** From when its controller holds it compromised (W3C Controlled Identifiers 1.0 §2.2, `revoked`). */
  compromisedAt: string | null;
}

export interface NewIssuerKey {
  id: string;
  did: string;
  publicKeyMultibase: string;
  location: KeyLocation;
}

/** A key refused for a rotation or retirement, with the reason an operator reads. */
export class IssuerKeyChangeError extends Error {}

const fromRow = (r: Selectable<IssuerKeysTable>): IssuerKeyRecord => ({
  id: r.id,
  did: r.did,
  publicKeyMultibase: r.public_key_multibase,
  location: r.key_file !== null ? { keyFile: r.key_file } : { pkcs11Label: r.pkcs11_label ?? '' },
  state: r.state as IssuerKeyState,
  createdAt: r.created_at,
  rotatedAt: r.rotated_at,
  retiredAt: r.retired_at,
  compromisedAt: r.compromised_at,
});

const COLUMNS = ['id', 'did', 'public_key_multibase', 'key_file', 'pkcs11_label', 'state', 'created_at', 'rotated_at', 'retired_at', 'compromised_at'] as const;

const locationColumns = (location: KeyLocation): { key_file: string | null; pkcs11_label: string | null } =>
  'keyFile' in location ? { key_file: location.keyFile, pkcs11_label: null } : { key_file: null, pkcs11_label: location.pkcs11Label };

export class IssuerKeysRepository {
  constructor(
    private readonly q: Executor,
    private readonly engine: Engine,
  ) {}

  /** The DID's key-set version (0: no key recorded yet): one primary-key read, what nodes poll. */
  async version(did: string): Promise<number> {
    const row = await this.q.selectFrom('issuer_key_sets').select('version').where('did', '=', did).executeTakeFirst();
    return row?.version ?? 0;
  }

  /** Every key of the DID, oldest first. */
  async list(did: string): Promise<IssuerKeyRecord[]> {
    const rows = await this.q.selectFrom('issuer_keys').select(COLUMNS).where('did', '=', did).orderBy('created_at').orderBy(seqOf(this.engine)).execute();
    return rows.map(fromRow);
  }

  async find(id: string): Promise<IssuerKeyRecord | undefined> {
    const row = await this.q.selectFrom('issuer_keys').select(COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  /** The key set and its version read together (one transaction), so they agree. */
  async snapshot(did: string): Promise<{ version: number; keys: IssuerKeyRecord[] }> {
    return atomic(this.q, async (trx) => {
      const repo = new IssuerKeysRepository(trx, this.engine);
      return { version: await repo.version(did), keys: await repo.list(did) };
    });
  }

  /**
   * Records the key a data dir already signs with, on the first start after migration 11, so
   * existing data dirs keep working. Does nothing when the DID has keys (every later start, and a
   * second node starting at once). Returns true when it recorded the key.
   */
  async recordFirst(key: NewIssuerKey, at = new Date()): Promise<boolean> {
    return atomic(this.q, async (trx) => {
      await lockForTransaction(trx, this.engine, `issuer-keys:${key.did}`);
      const repo = new IssuerKeysRepository(trx, this.engine);
      if ((await repo.version(key.did)) > 0) return false;
      await trx
        .insertInto('issuer_keys')
        .values({ id: key.id, did: key.did, public_key_multibase: key.publicKeyMultibase, ...locationColumns(key.location), state: 'current', created_at: at.toISOString(), rotated_at: null, retired_at: null, compromised_at: null })
        .execute();
      await repo.bump(key.did);
      return true;
    });
  }

  /** The new key becomes current; the current one becomes previous (still listed for assertions). */
  async rotate(key: NewIssuerKey, at = new Date()): Promise<{ previous: IssuerKeyRecord; current: IssuerKeyRecord }> {
    return atomic(this.q, async (trx) => {
      await lockForTransaction(trx, this.engine, `issuer-keys:${key.did}`);
      const repo = new IssuerKeysRepository(trx, this.engine);
      const keys = await repo.list(key.did);
      const previous = keys.find((k) => k.state === 'current');
      if (!previous) throw new IssuerKeyChangeError(`${key.did} has no current key to rotate from`);
      if (keys.some((k) => k.publicKeyMultibase === key.publicKeyMultibase)) throw new IssuerKeyChangeError(`${key.id} is already a key of ${key.did}`);
      const when = at.toISOString();
      await trx.updateTable('issuer_keys').set({ state: 'previous', rotated_at: when }).where('id', '=', previous.id).execute();
      await trx
        .insertInto('issuer_keys')
        .values({ id: key.id, did: key.did, public_key_multibase: key.publicKeyMultibase, ...locationColumns(key.location), state: 'current', created_at: when, rotated_at: null, retired_at: null, compromised_at: null })
        .execute();
      await repo.bump(key.did);
      return { previous: { ...previous, state: 'previous', rotatedAt: when }, current: (await repo.find(key.id)) as IssuerKeyRecord };
    });
  }

  /**
   * Retires a previous key: it is marked revoked from `compromisedAt`. The current key cannot be
   * retired (rotate first: an issuer always has a key to sign with); a revoked key stays revoked.
   */
  async retire(id: string, compromisedAt: Date, at = new Date()): Promise<IssuerKeyRecord> {
    return atomic(this.q, async (trx) => {
      const repo = new IssuerKeysRepository(trx, this.engine);
      const found = await repo.find(id);
      if (!found) throw new IssuerKeyChangeError(`No issuer key ${id} (see educred keys list)`);
      await lockForTransaction(trx, this.engine, `issuer-keys:${found.did}`);
      const key = (await repo.find(id)) as IssuerKeyRecord;
      if (key.state === 'current') throw new IssuerKeyChangeError(`${id} is the current signing key; rotate first (educred keys rotate), then retire it`);
      if (key.state === 'revoked') throw new IssuerKeyChangeError(`${id} was retired already (at ${key.retiredAt ?? '?'}, compromised from ${key.compromisedAt ?? '?'})`);
      await trx.updateTable('issuer_keys').set({ state: 'revoked', retired_at: at.toISOString(), compromised_at: compromisedAt.toISOString() }).where('id', '=', id).execute();
      await repo.bump(key.did);
      return (await repo.find(id)) as IssuerKeyRecord;
    });
  }

  private async bump(did: string): Promise<void> {
    await this.q
      .insertInto('issuer_key_sets')
      .values({ did, version: 1 })
      .onConflict((oc) => oc.column('did').doUpdateSet({ version: sql<number>`issuer_key_sets.version + 1` }))
      .execute();
  }
}

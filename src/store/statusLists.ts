// The status lists repository: one row per Bitstring Status List (its bits, a version that
// grows with every change, the last signed credential with the version it was signed at, and
// the bitmap of indexes handed out to any node), and one row per index an award holds.
// PRIMARY KEY (list_id, list_index) is what makes an index impossible to hand out twice,
// whatever any node believes; the `allocated` bitmap, changed only under the list's lock, is
// what keeps nodes from trying.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { atomic, lockForTransaction, seqOf, type Engine, type Executor } from './engine.js';
import { translateStoreError } from './errors.js';

export type StatusPurpose = 'revocation' | 'suspension';
export const STATUS_PURPOSES: readonly StatusPurpose[] = ['revocation', 'suspension'];

export interface StatusListRow {
  id: string;
  issuer: string;
  purpose: StatusPurpose;
  size: number;
  version: number;
  signedVersion: number | null;
  createdAt: string;
}

export interface StatusEntryRow {
  listId: string;
  index: number;
  awardId: string;
  purpose: StatusPurpose;
}

/** Chooses `count` free indexes of a bitmap (set bits are taken), marking them in it. */
export type ChooseIndexes = (allocated: Uint8Array, size: number, free: number, count: number) => number[];

export interface IndexLease {
  listId: string;
  purpose: StatusPurpose;
  size: number;
  indexes: number[];
}

const LIST_COLUMNS = ['id', 'issuer', 'purpose', 'size', 'version', 'signed_version', 'created_at'] as const;

const fromRow = (r: { id: string; issuer: string; purpose: string; size: number; version: number; signed_version: number | null; created_at: string }): StatusListRow => ({
  id: r.id,
  issuer: r.issuer,
  purpose: r.purpose as StatusPurpose,
  size: r.size,
  version: r.version,
  signedVersion: r.signed_version,
  createdAt: r.created_at,
});

const ENTRY_COLUMNS = ['list_id as listId', 'list_index as index', 'award_id as awardId', 'purpose'] as const;
const toEntry = (r: { listId: string; index: number; awardId: string; purpose: string }): StatusEntryRow => ({ ...r, purpose: r.purpose as StatusPurpose });

export class StatusListsRepository {
  constructor(
    private readonly q: Executor,
    private readonly engine: Engine,
  ) {}

  async insertList(list: { id: string; issuer: string; purpose: StatusPurpose; size: number }, at = new Date()): Promise<void> {
    const empty = Buffer.alloc(list.size / 8);
    await this.q
      .insertInto('status_lists')
      .values({
        id: list.id,
        issuer: list.issuer,
        purpose: list.purpose,
        size: list.size,
        bits: empty,
        version: 1,
        signed_json: null,
        signed_version: null,
        created_at: at.toISOString(),
        updated_at: at.toISOString(),
        allocated: Buffer.alloc(list.size / 8),
        allocated_count: 0,
      })
      .execute();
  }

  async findList(id: string): Promise<StatusListRow | undefined> {
    const row = await this.q.selectFrom('status_lists').select(LIST_COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  /** The lists of an issuer and purpose, oldest first, with how many indexes were handed out. */
  async listsOf(issuer: string, purpose: StatusPurpose): Promise<Array<StatusListRow & { allocated: number }>> {
    const rows = await this.q
      .selectFrom('status_lists')
      .select([...LIST_COLUMNS, 'allocated_count'])
      .where('issuer', '=', issuer)
      .where('purpose', '=', purpose)
      .orderBy('created_at')
      .orderBy(seqOf(this.engine))
      .execute();
    return rows.map((r) => ({ ...fromRow(r), allocated: r.allocated_count }));
  }

  /**
   * The list's bits and version. `forUpdate`: the row is locked until the transaction ends, so a
   * read-modify-write of the bits (a revocation) cannot lose another node's change; call it
   * inside a transaction. (SQLite's transactions hold the write lock already.)
   */
  async readBits(id: string, options: { forUpdate?: boolean } = {}): Promise<{ bits: Uint8Array; version: number } | undefined> {
    let select = this.q.selectFrom('status_lists').select(['bits', 'version']).where('id', '=', id);
    if (options.forUpdate && this.engine === 'postgres') select = select.forUpdate();
    const row = await select.executeTakeFirst();
    return row && { bits: new Uint8Array(row.bits), version: row.version };
  }

  /** Stores changed bits and returns the new version (call inside the change's transaction). */
  async writeBits(id: string, bits: Uint8Array, at = new Date()): Promise<number> {
    const row = await this.q
      .updateTable('status_lists')
      .set({ bits: Buffer.from(bits), version: sql<number>`version + 1`, updated_at: at.toISOString() })
      .where('id', '=', id)
      .returning('version')
      .executeTakeFirstOrThrow();
    return row.version;
  }

  /**
   * Makes every list of an issuer due for a new signature, bits unchanged (version + 1): after a
   * key rotation or retirement, each node's publisher signs each list again, once, with the
   * current key (signOnce). `listId`: that list only. Returns how many lists.
   */
  async markForResigning(issuer: string, at = new Date(), listId?: string): Promise<number> {
    let update = this.q.updateTable('status_lists').set({ version: sql<number>`version + 1`, updated_at: at.toISOString() }).where('issuer', '=', issuer);
    if (listId !== undefined) update = update.where('id', '=', listId);
    const result = await update.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async signed(id: string): Promise<{ json: string; version: number } | undefined> {
    const row = await this.q.selectFrom('status_lists').select(['signed_json', 'signed_version']).where('id', '=', id).executeTakeFirst();
    return row?.signed_json && row.signed_version !== null ? { json: row.signed_json, version: row.signed_version } : undefined;
  }

  /** Keeps a signed list unless a newer version is already stored (two signers racing). */
  async storeSigned(id: string, json: string, version: number): Promise<void> {
    await this.q
      .updateTable('status_lists')
      .set({ signed_json: json, signed_version: version })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('signed_version', 'is', null), eb('signed_version', '<', version)]))
      .execute();
  }

  /**
   * Signs a list version once for every node: under the list's lock, `sign` runs only when the
   * stored signature is older than the list's bits, and its result is stored before the lock is
   * released; a node that waited for the lock finds the signature made and signs nothing.
   */
  async signOnce(id: string, sign: (snapshot: { bits: Uint8Array; version: number }) => Promise<string>): Promise<void> {
    await atomic(this.q, async (trx) => {
      await lockForTransaction(trx, this.engine, `status-list-signature:${id}`);
      const repo = new StatusListsRepository(trx, this.engine);
      const snapshot = await repo.readBits(id);
      if (!snapshot) return;
      const signed = await repo.signed(id);
      if (signed && signed.version >= snapshot.version) return;
      await repo.storeSigned(id, await sign(snapshot), snapshot.version);
    });
  }

  /**
   * Hands out `count` free indexes of the issuer's current list of a purpose (a new list of
   * `newListSize` when every list is full), chosen by `choose` under the lock of the issuer's
   * lists, and marks them allocated before the lock is released: no other node, process or
   * later call can be handed them, whether or not an award ever stores them. Fewer than `count`
   * come back when the list has fewer left.
   */
  async leaseIndexes(request: { issuer: string; purpose: StatusPurpose; count: number; newListSize: number; choose: ChooseIndexes }): Promise<IndexLease> {
    return atomic(this.q, async (trx) => {
      await lockForTransaction(trx, this.engine, `status-allocation:${request.issuer}:${request.purpose}`);
      let list = await trx
        .selectFrom('status_lists')
        .select(['id', 'size', 'allocated', 'allocated_count'])
        .where('issuer', '=', request.issuer)
        .where('purpose', '=', request.purpose)
        .where(sql<boolean>`allocated_count < size`)
        .orderBy('created_at')
        .orderBy(seqOf(this.engine))
        .limit(1)
        .executeTakeFirst();
      if (!list) {
        const id = randomUUID();
        await new StatusListsRepository(trx, this.engine).insertList({ id, issuer: request.issuer, purpose: request.purpose, size: request.newListSize });
        list = { id, size: request.newListSize, allocated: Buffer.alloc(request.newListSize / 8), allocated_count: 0 };
      }
      const allocated = new Uint8Array(list.allocated);
      if (allocated.length !== list.size / 8) throw new Error(`Status list ${list.id} has an allocation bitmap of ${allocated.length} bytes for ${list.size} entries`);
      const free = list.size - list.allocated_count;
      const indexes = request.choose(allocated, list.size, free, Math.min(request.count, free));
      await trx
        .updateTable('status_lists')
        .set({ allocated: Buffer.from(allocated), allocated_count: list.allocated_count + indexes.length })
        .where('id', '=', list.id)
        .execute();
      return { listId: list.id, purpose: request.purpose, size: list.size, indexes };
    });
  }

  /**
   * Gives back indexes this process was handed and never stored (a graceful stop): they are
   * free for any node again. Indexes a credential carried must never come back here.
   */
  async returnIndexes(listId: string, indexes: readonly number[]): Promise<void> {
    if (indexes.length === 0) return;
    await atomic(this.q, async (trx) => {
      const row = await trx.selectFrom('status_lists').select(['issuer', 'purpose']).where('id', '=', listId).executeTakeFirst();
      if (!row) return;
      await lockForTransaction(trx, this.engine, `status-allocation:${row.issuer}:${row.purpose}`);
      const list = await trx.selectFrom('status_lists').select(['allocated', 'allocated_count']).where('id', '=', listId).executeTakeFirstOrThrow();
      const stored = new Set(
        (await trx.selectFrom('status_entries').select('list_index').where('list_id', '=', listId).where('list_index', 'in', [...indexes]).execute()).map((r) => r.list_index),
      );
      const allocated = new Uint8Array(list.allocated);
      let returned = 0;
      for (const index of indexes) {
        const mask = 0x80 >> (index & 7);
        const byte = allocated[index >> 3] ?? 0;
        if (stored.has(index) || !(byte & mask)) continue;
        allocated[index >> 3] = byte & ~mask;
        returned++;
      }
      await trx.updateTable('status_lists').set({ allocated: Buffer.from(allocated), allocated_count: list.allocated_count - returned }).where('id', '=', listId).execute();
    });
  }

  /** Stores an award's entry; an index another award holds is a UniqueConflictError ('status-index'). */
  async insertEntry(entry: StatusEntryRow): Promise<void> {
    try {
      await this.q.insertInto('status_entries').values({ list_id: entry.listId, list_index: entry.index, award_id: entry.awardId, purpose: entry.purpose }).execute();
    } catch (error) {
      throw translateStoreError(error);
    }
  }

  async entriesOfAward(awardId: string): Promise<StatusEntryRow[]> {
    const rows = await this.q.selectFrom('status_entries').select(ENTRY_COLUMNS).where('award_id', '=', awardId).orderBy('purpose').execute();
    return rows.map(toEntry);
  }

  async findEntry(listId: string, index: number): Promise<StatusEntryRow | undefined> {
    const row = await this.q.selectFrom('status_entries').select(ENTRY_COLUMNS).where('list_id', '=', listId).where('list_index', '=', index).executeTakeFirst();
    return row && toEntry(row);
  }

  async takenIndexes(listId: string): Promise<number[]> {
    const rows = await this.q.selectFrom('status_entries').select('list_index').where('list_id', '=', listId).execute();
    return rows.map((r) => r.list_index);
  }

  /** Every status list's bits with its purpose (few rows: one list holds 131,072 awards). */
  async allBits(): Promise<Array<{ id: string; purpose: string; bits: Uint8Array }>> {
    const rows = await this.q.selectFrom('status_lists').select(['id', 'purpose', 'bits']).execute();
    return rows.map((r) => ({ id: r.id, purpose: r.purpose, bits: new Uint8Array(r.bits) }));
  }

  /** Every list's allocation bitmap (`educred db check`). */
  async allAllocations(): Promise<Array<{ id: string; size: number; allocated: Uint8Array; allocatedCount: number }>> {
    const rows = await this.q.selectFrom('status_lists').select(['id', 'size', 'allocated', 'allocated_count']).execute();
    return rows.map((r) => ({ id: r.id, size: r.size, allocated: new Uint8Array(r.allocated), allocatedCount: r.allocated_count }));
  }

  /** The awards holding these status entries (list id and index). */
  async awardIdsAtEntries(entries: ReadonlyArray<{ listId: string; index: number }>): Promise<string[]> {
    if (entries.length === 0) return [];
    const json = JSON.stringify(entries.map((e) => [e.listId, e.index]));
    const rows =
      this.engine === 'sqlite'
        ? await sql<{ award_id: string }>`SELECT e.award_id FROM json_each(${json}) j
            JOIN status_entries e ON e.list_id = json_extract(j.value, '$[0]') AND e.list_index = json_extract(j.value, '$[1]')`.execute(this.q)
        : await sql<{ award_id: string }>`SELECT e.award_id FROM jsonb_array_elements(${json}::jsonb) j
            JOIN status_entries e ON e.list_id = j.value->>0 AND e.list_index = (j.value->>1)::integer`.execute(this.q);
    return rows.rows.map((r) => r.award_id);
  }

  /** How many entries awards hold, over every list. */
  async entryCount(): Promise<number> {
    const row = await this.q.selectFrom('status_entries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async entriesPage(listId: string, afterIndex: number, limit: number): Promise<StatusEntryRow[]> {
    const rows = await this.q.selectFrom('status_entries').select(ENTRY_COLUMNS).where('list_id', '=', listId).where('list_index', '>', afterIndex).orderBy('list_index').limit(limit).execute();
    return rows.map(toEntry);
  }
}

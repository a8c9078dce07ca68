// A store contract suite run on both engines: SQLite in a fresh temporary file, and PostgreSQL in
// a fresh database (describePostgres: skipped without TEST_DATABASE_URL locally, failed in CI).
// The contract reads the open store through `store()`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import type { StoreLocation } from '../../src/store/engine.js';
import { openStore, type Store } from '../../src/store/store.js';
import { describePostgres, freshPostgresDatabase } from './postgres.js';

type Open = () => Promise<{ location: StoreLocation; cleanup: () => Promise<void> }>;

function withStore(open: Open, contract: (store: () => Store) => void): () => void {
  return () => {
    let store: Store | undefined;
    let cleanup: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      const opened = await open();
      cleanup = opened.cleanup;
      store = await openStore(opened.location);
    });
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });
    contract(() => {
      if (!store) throw new Error('the store is not open');
      return store;
    });
  };
}

/** Runs `contract` as "<subject> on SQLite" and "<subject> on PostgreSQL"; `slug` names the temporary file and database. */
export function storeContract(subject: string, slug: string, contract: (store: () => Store) => void): void {
  describe(
    `${subject} on SQLite`,
    withStore(async () => {
      const dir = mkdtempSync(path.join(tmpdir(), `educred-${slug}-`));
      return { location: { engine: 'sqlite', file: path.join(dir, 'educred.sqlite') }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    }, contract),
  );
  describePostgres(
    `${subject} on PostgreSQL`,
    withStore(async () => {
      const db = await freshPostgresDatabase(slug);
      return { location: { engine: 'postgres', url: db.url }, cleanup: () => db.drop() };
    }, contract),
  );
}

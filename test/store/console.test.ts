// The console's repository (migration 15) on both engines: a person signs in again under the
// same subject, an admin's role is kept apart from the claimed one, a session is found by its
// hash only while open, and a person's sessions end together.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSessionId, openSession } from '../../src/console/sessions.js';
import type { StoreLocation } from '../../src/store/engine.js';
import { openStore, type Store } from '../../src/store/store.js';
import { describePostgres, freshPostgresDatabase } from '../helpers/postgres.js';

function consoleContract(open: () => Promise<{ location: StoreLocation; cleanup: () => Promise<void> }>): void {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const opened = await open();
    cleanup = opened.cleanup;
    store = await openStore(opened.location);
  });
  afterAll(async () => {
    await store?.close();
    await cleanup?.();
  });

  it('keeps one person per subject, the claim and the assignment apart', async () => {
    const at = new Date('2026-03-01T08:00:00Z');
    const first = await store.console.signedIn({ subject: 'oidc:https://idp.example#42', name: 'Maya', email: 'maya@example.edu', claimedRole: 'observer' }, at);
    const again = await store.console.signedIn({ subject: 'oidc:https://idp.example#42', name: 'Maya Rivera', email: 'maya@example.edu', claimedRole: null }, at);
    expect(again.id).toBe(first.id);
    expect(again).toMatchObject({ name: 'Maya Rivera', claimedRole: null, assignedRole: null });
    await store.console.assignRole(first.id, 'registrar');
    expect(await store.console.findPerson(first.id)).toMatchObject({ assignedRole: 'registrar', claimedRole: null });
    expect((await store.console.people()).map((p) => p.name)).toContain('Maya Rivera');
  });

  it('finds a session by the hash of its id while it is open, and ends all of a person’s sessions', async () => {
    const at = new Date('2026-03-01T08:00:00Z');
    const person = await store.console.signedIn({ subject: 'token:abc', name: 'registrar office', claimedRole: 'registrar' }, at);
    const a = await openSession(store, person, 'registrar', at);
    const b = await openSession(store, person, 'registrar', at);
    expect((await store.console.findSession(hashSessionId(a)))?.person.id).toBe(person.id);
    expect(await store.console.findSession(a)).toBeUndefined();
    expect(await store.console.endSessionsOf(person.id, at)).toBe(2);
    expect(await store.console.findSession(hashSessionId(b))).toBeUndefined();
  });
}

describe('the console repository on SQLite', () => {
  consoleContract(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'educred-console-store-'));
    return { location: { engine: 'sqlite', file: path.join(dir, 'educred.sqlite') }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  });
});

describePostgres('the console repository on PostgreSQL', () => {
  consoleContract(async () => {
    const db = await freshPostgresDatabase('console');
    return { location: { engine: 'postgres', url: db.url }, cleanup: () => db.drop() };
  });
});

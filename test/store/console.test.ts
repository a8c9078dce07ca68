// The console's repository (migration 15) on both engines: a person signs in again under the
// same subject, an admin's role is kept apart from the claimed one, a session is found by its
// hash only while open, and a person's sessions end together.
import { expect, it } from 'vitest';
import { hashSessionId, openSession } from '../../src/console/sessions.js';
import type { Store } from '../../src/store/store.js';
import { storeContract } from '../helpers/storeContract.js';

function consoleContract(store: () => Store): void {

  it('keeps one person per subject, the claim and the assignment apart', async () => {
    const at = new Date('2026-03-01T08:00:00Z');
    const first = await store().console.signedIn({ subject: 'oidc:https://idp.example#42', name: 'Maya', email: 'maya@example.edu', claimedRole: 'observer' }, at);
    const again = await store().console.signedIn({ subject: 'oidc:https://idp.example#42', name: 'Maya Rivera', email: 'maya@example.edu', claimedRole: null }, at);
    expect(again.id).toBe(first.id);
    expect(again).toMatchObject({ name: 'Maya Rivera', claimedRole: null, assignedRole: null });
    await store().console.assignRole(first.id, 'registrar');
    expect(await store().console.findPerson(first.id)).toMatchObject({ assignedRole: 'registrar', claimedRole: null });
    expect((await store().console.people()).map((p) => p.name)).toContain('Maya Rivera');
  });

  it('finds a session by the hash of its id while it is open, and ends all of a person’s sessions', async () => {
    const at = new Date('2026-03-01T08:00:00Z');
    const person = await store().console.signedIn({ subject: 'token:abc', name: 'registrar office', claimedRole: 'registrar' }, at);
    const a = await openSession(store(), person, 'registrar', at);
    const b = await openSession(store(), person, 'registrar', at);
    expect((await store().console.findSession(hashSessionId(a)))?.person.id).toBe(person.id);
    expect(await store().console.findSession(a)).toBeUndefined();
    expect(await store().console.endSessionsOf(person.id, at)).toBe(2);
    expect(await store().console.findSession(hashSessionId(b))).toBeUndefined();
  });
}

storeContract('the console repository', 'console', consoleContract);

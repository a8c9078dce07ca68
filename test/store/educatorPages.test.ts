// The educator page's repository (migration 17) on both engines: a sign-in link is spent once
// (two racing redeems, one wins), refused when expired or unknown; sessions end; share links are
// found by their hash, listed per subject and withdrawn only by their owner; an email finds the
// awards issued to it (case aside); programs keep their name-privacy setting.
import { expect, it } from 'vitest';
import { hashSecret } from '../../src/educatorPage/signIn.js';
import type { Store } from '../../src/store/store.js';
import { storeContract } from '../helpers/storeContract.js';

function educatorPagesContract(store: () => Store): void {

  const at = new Date('2026-03-01T08:00:00Z');
  const later = (ms: number) => new Date(at.getTime() + ms);

  it('spends a sign-in link once, even when two redeems race', async () => {
    await store().educatorPages.insertSignIn({ tokenHash: hashSecret('t1'), subject: 'ana@example.edu', source: 'email', createdAt: at.toISOString(), expiresAt: later(3600_000).toISOString() });
    const outcomes = await Promise.all([store().educatorPages.redeemSignIn(hashSecret('t1'), later(1000)), store().educatorPages.redeemSignIn(hashSecret('t1'), later(1000))]);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.find((o) => !o.ok)).toMatchObject({ ok: false, reason: 'used' });
    expect(await store().educatorPages.redeemSignIn(hashSecret('t1'), later(2000))).toMatchObject({ ok: false, reason: 'used' });
  });

  it('refuses an expired and an unknown sign-in link, and counts links per subject', async () => {
    await store().educatorPages.insertSignIn({ tokenHash: hashSecret('t2'), subject: 'ben@example.edu', source: 'email', createdAt: at.toISOString(), expiresAt: later(1000).toISOString() });
    expect(await store().educatorPages.redeemSignIn(hashSecret('t2'), later(1000))).toMatchObject({ ok: false, reason: 'expired' });
    expect(await store().educatorPages.redeemSignIn(hashSecret('nope'), at)).toEqual({ ok: false, reason: 'unknown' });
    expect(await store().educatorPages.countSignInsSince('ben@example.edu', 'email', later(-1))).toBe(1);
    expect(await store().educatorPages.countSignInsSince('ben@example.edu', 'email', later(1))).toBe(0);
    expect(await store().educatorPages.countSignInsSince('ben@example.edu', 'claim', later(-1))).toBe(0);
  });

  it('finds a session by its hash until it ends', async () => {
    await store().educatorPages.openSession({ idHash: hashSecret('s1'), subject: 'ana@example.edu', createdAt: at.toISOString(), expiresAt: later(3600_000).toISOString() });
    expect((await store().educatorPages.findSession(hashSecret('s1')))?.subject).toBe('ana@example.edu');
    await store().educatorPages.touchSession(hashSecret('s1'), later(5000));
    expect((await store().educatorPages.findSession(hashSecret('s1')))?.lastSeenAt).toBe(later(5000).toISOString());
    await store().educatorPages.endSession(hashSecret('s1'), later(6000));
    expect(await store().educatorPages.findSession(hashSecret('s1'))).toBeUndefined();
  });

  it('keeps share links by hash, per subject, withdrawn only by their owner', async () => {
    const row = { id: 'share-1', tokenHash: hashSecret('share-token'), subject: 'ana@example.edu', label: 'District', awardIds: ['a1', 'a2'], createdAt: at.toISOString(), expiresAt: later(86_400_000).toISOString() };
    await store().educatorPages.insertShare(row);
    expect(await store().educatorPages.findShareByTokenHash(hashSecret('share-token'))).toEqual({ ...row, withdrawnAt: null });
    expect((await store().educatorPages.sharesOf('ana@example.edu')).map((s) => s.id)).toEqual(['share-1']);
    expect(await store().educatorPages.withdrawShare('share-1', 'ben@example.edu', later(1))).toBe(false);
    expect(await store().educatorPages.withdrawShare('share-1', 'ana@example.edu', later(1))).toBe(true);
    expect(await store().educatorPages.withdrawShare('share-1', 'ana@example.edu', later(2))).toBe(false);
    expect((await store().educatorPages.findShareByTokenHash(hashSecret('share-token')))?.withdrawnAt).toBe(later(1).toISOString());
  });

  it('lists the awards of an email, whatever its case, and of a DID', async () => {
    const base = { achievementCode: 'formative-assessment', recipientName: 'Ana', emailSalt: 's', idempotencyKey: null, requestHash: null, createdAt: at.toISOString() };
    await store().awards.insert({ ...base, id: 'aw-1', credentialId: 'urn:x:1', recipientDid: null, recipientEmail: 'Ana.Lopez@Example.edu', recipientKey: 'ana.lopez@example.edu', credential: { id: 'urn:x:1' } });
    await store().awards.insert({ ...base, id: 'aw-2', credentialId: 'urn:x:2', achievementCode: 'aligned-instruction', recipientDid: 'did:example:ana', recipientEmail: null, recipientKey: 'did:example:ana', credential: { id: 'urn:x:2' } });
    await store().awards.insert({ ...base, id: 'aw-3', credentialId: 'urn:x:3', recipientDid: null, recipientEmail: 'other@example.edu', recipientKey: 'other@example.edu', credential: { id: 'urn:x:3' } });
    expect((await store().awards.listForSubject('ana.lopez@example.edu')).map((a) => a.id)).toEqual(['aw-1']);
    expect((await store().awards.listForSubject('did:example:ana')).map((a) => a.id)).toEqual(['aw-2']);
  });

  it('keeps a program’s name-privacy setting', async () => {
    await store().programs.insertProgram({ code: 'p-private', name: 'P', description: 'D', completion: 'C', achievementType: 'Certificate', requires: [{ achievement: 'formative-assessment' }], autoIssue: false, builtIn: false, createdAt: at.toISOString(), namePrivacy: { recipients: 'initials', observers: 'full' } });
    await store().programs.insertProgram({ code: 'p-default', name: 'P', description: 'D', completion: 'C', achievementType: 'Certificate', requires: [{ achievement: 'formative-assessment' }], autoIssue: false, builtIn: false, createdAt: at.toISOString() });
    const programs = await store().programs.listPrograms();
    expect(programs.find((p) => p.code === 'p-private')?.namePrivacy).toEqual({ recipients: 'initials', observers: 'full' });
    expect(programs.find((p) => p.code === 'p-default')?.namePrivacy).toEqual({ recipients: 'full', observers: 'none' });
  });
}

storeContract('the educator page repository', 'educator_pages', educatorPagesContract);

// The programs repository (migration 12) on both engines: programs by code (a taken code refused
// by name), program records with the badges they embed, the records a badge is inside (not once
// the record is revoked), and licences with their decision.
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { AwardRecord } from '../../src/store/awards.js';
import { UniqueConflictError } from '../../src/store/errors.js';
import type { Store } from '../../src/store/store.js';
import { BUILT_IN_PROGRAM } from '../../src/programs/program.js';
import { storeContract } from '../helpers/storeContract.js';

function award(achievementCode: string, recipientKey: string, achievedLevel = 'proficient'): AwardRecord {
  const id = randomUUID();
  return { id, credentialId: `https://issuer.example/credentials/${id}`, achievementCode, recipientDid: recipientKey, recipientEmail: null, recipientName: 'Ana', emailSalt: null, credential: { id }, idempotencyKey: null, requestHash: null, createdAt: new Date().toISOString(), recipientKey, achievedLevel };
}

function programsContract(store: () => Store): void {

  it('stores programs by code and refuses a taken code, naming the rule', async () => {
    const program = { ...BUILT_IN_PROGRAM, code: 'secondary', builtIn: false, autoIssue: false, createdAt: '2026-03-01T00:00:00.000Z' };
    await store().programs.insertProgram(program);
    const error = await store().programs.insertProgram(program).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UniqueConflictError);
    expect((error as UniqueConflictError).rule).toBe('program-code');
    expect(await store().programs.listPrograms()).toEqual([{ ...program, requires: [...program.requires] }]);
  });

  it('stores a record with its badges, finds the records a badge is inside, and not once the record is revoked', async () => {
    const did = `did:key:z${randomUUID()}`;
    await store().educators.createEducator({ id: `e-${did}`, name: 'Ana', did, createdAt: new Date().toISOString() });
    const badges = [award('formative-assessment', did), award('differentiated-support', did)];
    const record = award('program:educator-preparation', did, 'completed');
    await store().transaction(async (tx) => {
      for (const b of [...badges, record]) await tx.awards.insert(b);
      await tx.programs.insertRecord({ id: record.id, programCode: 'educator-preparation', educatorId: `e-${did}`, createdAt: record.createdAt, badgeAwardIds: badges.map((b) => b.id) });
    });
    const row = { id: record.id, programCode: 'educator-preparation', educatorId: `e-${did}`, createdAt: record.createdAt, badgeAwardIds: expect.arrayContaining(badges.map((b) => b.id)) };
    expect(await store().programs.findRecord(record.id)).toEqual(row);
    expect(await store().programs.unrevokedRecords(`e-${did}`, 'educator-preparation')).toEqual([row]);
    expect(await store().programs.recordsEmbedding(badges[0]!.id)).toEqual([row]);
    // One current record per educator and program: the award path's one-active-badge index.
    const second = await store().awards.insert(award('program:educator-preparation', did, 'completed')).catch((e: unknown) => e);
    expect((second as UniqueConflictError).rule).toBe('award-one-active-badge');
    await store().awards.markRevoked(record.id, new Date());
    expect(await store().programs.recordsEmbedding(badges[0]!.id)).toEqual([]);
    expect(await store().programs.unrevokedRecords(`e-${did}`, 'educator-preparation')).toEqual([]);
  });

  it('stores a licence with its rule, applicant and decision', async () => {
    const licence = award('license:online-teaching', 'did:key:zLicensee', 'issued');
    await store().awards.insert(licence);
    const row = { id: licence.id, licenseCode: 'online-teaching', ruleId: 'online-teaching', applicant: { name: 'Ana' }, decision: { approved: true, missing: [] }, createdAt: licence.createdAt };
    await store().programs.insertLicense(row);
    expect(await store().programs.findLicense(licence.id)).toEqual(row);
  });
}

storeContract('the programs repository', 'programs', programsContract);

// The console's people and sessions (migration 15, issue 18). A session row is found by the
// SHA-256 hash of the id the browser holds, never by the id itself, so a copy of the database
// signs no one in. Expiry is two timestamps: idle (`last_seen_at`) and absolute (`expires_at`).
import { randomUUID } from 'node:crypto';
import { isRole, type Role } from '../console/roles.js';
import type { Executor } from './engine.js';
import { translateStoreError } from './errors.js';
import type { ConsolePeopleTable } from './schema.js';

export interface ConsolePerson {
  id: string;
  /** `oidc:<issuer>#<sub>` for a person signed in through the identity provider, `token:<id>` for an API token. */
  subject: string;
  name: string;
  email: string | null;
  assignedRole: Role | null;
  /** The role the identity provider's claim named at the last sign-in. */
  claimedRole: Role | null;
  createdAt: string;
  lastSignInAt: string | null;
}

export interface ConsoleSession {
  idHash: string;
  role: Role;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  person: ConsolePerson;
}

const personOf = (r: ConsolePeopleTable): ConsolePerson => ({
  id: r.id,
  subject: r.subject,
  name: r.name,
  email: r.email,
  assignedRole: isRole(r.assigned_role) ? r.assigned_role : null,
  claimedRole: isRole(r.claimed_role) ? r.claimed_role : null,
  createdAt: r.created_at,
  lastSignInAt: r.last_sign_in_at,
});

export class ConsoleRepository {
  constructor(private readonly q: Executor) {}

  /** Creates the person of a subject, or updates the name, email and claimed role it signed in with. */
  async signedIn(who: { subject: string; name: string; email?: string | null | undefined; claimedRole: Role | null }, at: Date): Promise<ConsolePerson> {
    const existing = await this.q.selectFrom('console_people').selectAll().where('subject', '=', who.subject).executeTakeFirst();
    const values = { name: who.name, email: who.email ?? null, claimed_role: who.claimedRole, last_sign_in_at: at.toISOString() };
    if (existing) {
      await this.q.updateTable('console_people').set(values).where('id', '=', existing.id).execute();
      return personOf({ ...existing, ...values });
    }
    const row: ConsolePeopleTable = { id: randomUUID(), subject: who.subject, assigned_role: null, created_at: at.toISOString(), ...values };
    try {
      await this.q.insertInto('console_people').values(row).execute();
    } catch (error) {
      throw translateStoreError(error);
    }
    return personOf(row);
  }

  async findPerson(id: string): Promise<ConsolePerson | undefined> {
    const row = await this.q.selectFrom('console_people').selectAll().where('id', '=', id).executeTakeFirst();
    return row && personOf(row);
  }

  async people(): Promise<ConsolePerson[]> {
    const rows = await this.q.selectFrom('console_people').selectAll().orderBy('name').orderBy('id').execute();
    return rows.map(personOf);
  }

  /** Sets (or clears, with null) the role an admin assigned (the caller ends the person's open sessions). */
  async assignRole(personId: string, role: Role | null): Promise<void> {
    await this.q.updateTable('console_people').set({ assigned_role: role }).where('id', '=', personId).execute();
  }

  async openSession(session: { idHash: string; personId: string; role: Role; expiresAt: Date }, at: Date): Promise<void> {
    await this.q
      .insertInto('console_sessions')
      .values({ id_hash: session.idHash, person_id: session.personId, role: session.role, created_at: at.toISOString(), last_seen_at: at.toISOString(), expires_at: session.expiresAt.toISOString(), ended_at: null })
      .execute();
  }

  /** An open session (not ended; the caller judges the expiry), with its person. */
  async findSession(idHash: string): Promise<ConsoleSession | undefined> {
    const row = await this.q
      .selectFrom('console_sessions as s')
      .innerJoin('console_people as p', 'p.id', 's.person_id')
      .selectAll('p')
      .select(['s.id_hash', 's.role', 's.created_at as session_created_at', 's.last_seen_at', 's.expires_at'])
      .where('s.id_hash', '=', idHash)
      .where('s.ended_at', 'is', null)
      .executeTakeFirst();
    if (!row || !isRole(row.role)) return undefined;
    return { idHash: row.id_hash, role: row.role, createdAt: row.session_created_at, lastSeenAt: row.last_seen_at, expiresAt: row.expires_at, person: personOf(row) };
  }

  async touchSession(idHash: string, at: Date): Promise<void> {
    await this.q.updateTable('console_sessions').set({ last_seen_at: at.toISOString() }).where('id_hash', '=', idHash).execute();
  }

  async endSession(idHash: string, at: Date): Promise<void> {
    await this.q.updateTable('console_sessions').set({ ended_at: at.toISOString() }).where('id_hash', '=', idHash).where('ended_at', 'is', null).execute();
  }

  /** Ends every open session of a person (their role changed: they sign in again with the new one). */
  async endSessionsOf(personId: string, at: Date): Promise<number> {
    const result = await this.q.updateTable('console_sessions').set({ ended_at: at.toISOString() }).where('person_id', '=', personId).where('ended_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

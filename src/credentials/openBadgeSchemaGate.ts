// The one schema gate every Open Badge passes before this service signs it (a new award, a badge
// re-issued to the wallet that claims it, a VC-API credential): the pinned 1EdTech OB 3.0
// AchievementCredential schema the badge cites in `credentialSchema`. A badge that fails the
// schema it cites fails every verifier that honours `credentialSchema`, and 1EdTech certification.
//
// One exemption, only for an issuer that chose EDUCRED_STATUS_PURPOSES=revocation,suspension:
// OB 3.0.x types `credentialStatus` as one object (0..1), and a badge that can be both revoked
// and suspended carries a VC 2.0 set of two BitstringStatusListEntry objects (1EdTech
// openbadges-specification#623 proposes sets for 3.1). A default badge carries one entry, as an
// object, and gets no exemption at all.
import { isStatusEntrySetProblem } from '../status/obSchemaStatus.js';
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA } from './openBadge.js';
import { validateAgainstSchema, type SchemaProblem } from './schema.js';

/** Every OB 3.0 schema problem of a credential about to be signed (empty: it may be signed). */
export function openBadgeSchemaProblems(unsigned: Record<string, unknown>): SchemaProblem[] {
  return validateAgainstSchema(OB_ACHIEVEMENT_CREDENTIAL_SCHEMA, unsigned).problems.filter((p) => !isStatusEntrySetProblem(p, unsigned));
}

/** A credential this service built itself fails the schema: a bug of ours, never the caller's input. */
export class OpenBadgeSchemaError extends Error {
  constructor(
    what: string,
    readonly problems: readonly SchemaProblem[],
  ) {
    super(`${what} fails the OB 3.0 AchievementCredential schema: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
  }
}

/** Throws OpenBadgeSchemaError unless the credential passes the gate. */
export function assertOpenBadgeSchemaValid(unsigned: Record<string, unknown>, what: string): void {
  const problems = openBadgeSchemaProblems(unsigned);
  if (problems.length > 0) throw new OpenBadgeSchemaError(what, problems);
}

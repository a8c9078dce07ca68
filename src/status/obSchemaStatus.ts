// Open Badges 3.0.x JSON Schema types `credentialStatus` as one object ([0..1]); VC 2.0 allows a
// set, and a badge that can be both revoked and suspended needs two BitstringStatusListEntry
// objects (1EdTech openbadges-specification#623 proposes allowing this in 3.1). This names that
// one schema problem so our own pre-signing check can accept it and still refuse any other.
import type { SchemaProblem } from '../credentials/schema.js';

/** True for the schema's "must be object" at /credentialStatus when it is an array of status list entries. */
export function isStatusEntrySetProblem(problem: SchemaProblem, credential: Record<string, unknown>): boolean {
  const status = credential.credentialStatus;
  return (
    problem.path === '/credentialStatus' &&
    /must be object/.test(problem.message) &&
    Array.isArray(status) &&
    // A set is two or more entries: a single entry must be the object the schema asks for.
    status.length > 1 &&
    status.every((s) => typeof s === 'object' && s !== null && (s as { type?: unknown }).type === 'BitstringStatusListEntry' && typeof (s as { id?: unknown }).id === 'string')
  );
}
